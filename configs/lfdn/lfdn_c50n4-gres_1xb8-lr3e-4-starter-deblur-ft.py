# Second stage of the CPU deblurring starter: continues the first stage
# (lfdn_c50n4-gres_1xb8-lr5e-4-starter-deblur.py, 1000 iterations; load_from is its save_best)
# for 1800 more at a restarted cosine schedule from 3e-4 with gradient clipping, same data, same
# validation. The shipped `--model deblur` weights are this stage's save_best.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr3e-4-starter-deblur-ft.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr5e-4-starter-deblur.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr3e-4-starter-deblur-ft'
work_dir = f'./work_dirs/{experiment_name}'
load_from = ('./work_dirs/lfdn_c50n4-gres_1xb8-lr5e-4-starter-deblur/'
             'best_SynthBlur_PSNR_iter_1000.pth')

max_iters = 1800
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=3e-4), clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = dict(T_max=max_iters)
