# CPU starter for deblurring, shipped as `lfdn-restore --model deblur`: as the derain starter,
# on camera shake, moving objects and sensor noise synthesised on the fly (SynthesizeMotionBlur).
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/clean_deblur.py', '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-starter-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
default_hooks = dict(
    checkpoint=dict(interval=500, max_keep_ckpts=2, save_best='SynthBlur/PSNR'),
    logger=dict(interval=50))
log_processor = dict(window_size=50)
# channels_last 2-D convs: 1.3x faster CPU training here; one thread per run
# (OMP_NUM_THREADS=1) let two starters train side by side on 2 cores
custom_hooks = [dict(type='ChannelsLastHook')]
max_iters = 1000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)
