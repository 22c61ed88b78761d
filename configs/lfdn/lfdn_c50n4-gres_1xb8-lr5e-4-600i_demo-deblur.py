# The demo for deblurring: camera blur synthesised on the fly over the scikit-image
# photographs (see the derain demo), with camera and object paths of up to 24 px to suit its
# 96 px crops.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/clean_deblur.py', '../_base_/schedules/cpu_600i.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-deblur'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(global_residual=True))
data_root = 'data/demo_photos'
demo_blur = dict(type='SynthesizeCameraBlur', translation=(2.0, 24.0),
                 object_translation=(2.0, 24.0))
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        holdout_every=7,
        pipeline=_base_.load_gt +
        [dict(type='Crop', keys=['gt'], crop_size=(96, 96), random_crop=True)] +
        _base_.flip_gt + [demo_blur] + _base_.pack))
val_dataloader = dict(dataset=dict(
    data_root=data_root, holdout_every=7,
    pipeline=_base_.load_gt + [dict(demo_blur, seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
default_hooks = dict(
    checkpoint=dict(interval=200, max_keep_ckpts=2, save_best='SynthCameraBlur/PSNR'),
    logger=dict(interval=20),
    fast_forms=dict(channels_last=False))
log_processor = dict(window_size=20)
