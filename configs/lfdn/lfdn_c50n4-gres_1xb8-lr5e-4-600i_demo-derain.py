# The README's demo: a few minutes on 2 CPU cores. Rain is synthesised on the fly over the
# photographs scikit-image ships (`python tools/make_demo_data.py --photos` writes them to
# data/demo_photos); one in seven is held out for validation. A global image residual (not in
# the paper) makes such a short budget learn.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/clean_derain.py', '../_base_/schedules/cpu_600i.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(global_residual=True))
data_root = 'data/demo_photos'
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        holdout_every=7,
        pipeline=_base_.load_gt +
        [dict(type='Crop', keys=['gt'], crop_size=(96, 96), random_crop=True)] +
        _base_.flip_gt + [_base_.train_rain] + _base_.pack))
val_dataloader = dict(dataset=dict(data_root=data_root, holdout_every=7))
test_dataloader = val_dataloader
default_hooks = dict(
    checkpoint=dict(interval=200, max_keep_ckpts=2, save_best='SynthRain/PSNR'),
    logger=dict(interval=20),
    fast_forms=dict(channels_last=False))
log_processor = dict(window_size=20)
