# CPU starter for deblurring, shipped as `lfdn-restore --model deblur`: as the derain starter,
# on camera shake, moving objects and sensor noise synthesised on the fly (SynthesizeMotionBlur).
_base_ = [
    '../_base_/models/lfdn_paper.py', '../_base_/datasets/clean_motion_blur.py',
    '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-starter-deblur'
work_dir = f'./work_dirs/{experiment_name}'

max_iters = 1000
model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(checkpoint=dict(save_best='SynthBlur/PSNR'))
