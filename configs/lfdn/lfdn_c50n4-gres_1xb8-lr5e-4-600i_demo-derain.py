# CPU-sized demo: a few minutes on 2 cores on the built-in synthetic rain set
# (python tools/make_demo_data.py). A global image residual (not in the paper) makes such a
# short budget learn; the paper preset without it needs far longer training.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/demo.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(global_residual=True))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=600, val_interval=200)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999)))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=600, eta_min=1e-5)
auto_scale_lr = dict(enable=False, base_batch_size=8)

default_hooks = dict(
    checkpoint=dict(interval=200, max_keep_ckpts=2, save_best='Demo/PSNR'),
    logger=dict(interval=20))
log_processor = dict(window_size=20)
custom_hooks = []
