# Third stage of the CPU deraining starter: continues the second stage
# (lfdn_c50n4-gres_1xb8-lr3e-4-starter-derain-ft.py, iterations 5001-8000) for 4000 more on a
# cosine schedule restarted from a lower 2e-4, same data, same validation. Its save_best,
# iteration 2000 (the run was stopped after 3000), was `--model derain` until the fourth stage
# (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3.py) replaced it.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr3e-4-starter-derain-ft.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2'
work_dir = f'./work_dirs/{experiment_name}'
load_from = './work_dirs/lfdn_c50n4-gres_1xb8-lr3e-4-starter-derain-ft/iter_3000.pth'

max_iters = 4000
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(checkpoint=dict(interval=500))
