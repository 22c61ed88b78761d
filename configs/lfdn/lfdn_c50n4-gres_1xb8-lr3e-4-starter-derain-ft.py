# Second stage of the CPU deraining starter: continues the first stage
# (lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py, 5000 iterations) for 3000 more at a restarted
# cosine schedule from 3e-4, same data, same validation. Its save_best was `--model derain`
# until the third stage (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2.py) replaced it.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr3e-4-starter-derain-ft.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr3e-4-starter-derain-ft'
work_dir = f'./work_dirs/{experiment_name}'
load_from = './work_dirs/lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain/iter_5000.pth'

max_iters = 3000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = dict(T_max=max_iters)
