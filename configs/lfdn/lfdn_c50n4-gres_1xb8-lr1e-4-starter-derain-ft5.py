# Sixth stage of the CPU deraining starter: continues the fifth stage
# (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4.py, its save_best) on the same rain mix for
# 4000 more iterations, with the cosine schedule restarted from a lower rate (1e-4) so the
# restart costs less of what the fifth stage reached. Validation and save_best use the fifth
# stage's held-out photographs and depth rain; no test set is read. The shipped `--model derain`
# weights are this stage's save_best, iteration 4000.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5'
work_dir = f'./work_dirs/{experiment_name}'
load_from = ('./work_dirs/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4/'
             'best_SynthDepthRain_PSNR_iter_4000.pth')

optim_wrapper = dict(optimizer=dict(lr=1e-4))
