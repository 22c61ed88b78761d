# Deraining on the fly from a folder of clean photographs (see clean_photos.py).
# Train on your own photographs with
#   --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./clean_photos.py']

data_root = 'data/clean'
metainfo = dict(dataset_type='clean_synthetic_rain', task_name='deraining')
# Half of the training samples get light rain (one layer of sparse, thin, faint streaks, as
# Rain100L is described), the other half SynthesizeRain's whole light-to-heavy range.
light_rain = dict(type='SynthesizeRain', layers=(1, 1), density=(0.0005, 0.01), width=(1, 2),
                  intensity=(0.05, 0.5), haze_prob=0.0)
train_rain = dict(type='RandomChoice', transforms=[[light_rain], [dict(type='SynthesizeRain')]],
                  prob=[0.5, 0.5])

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='CleanImageDataset',
        data_root=data_root,
        split='train',
        metainfo=metainfo,
        pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt + [train_rain] +
        _base_.pack))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CleanImageDataset',
        data_root=data_root,
        split='val',
        metainfo=metainfo,
        pipeline=_base_.load_gt + [dict(type='SynthesizeRain', seed=2021)] + _base_.pack))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='SynthRain'),
    dict(type='SSIM', convert_to='Y', prefix='SynthRain'),
]
val_cfg = dict(type='MultiValLoop')
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict(type='MultiTestLoop')
best_metric = 'SynthRain/PSNR'
