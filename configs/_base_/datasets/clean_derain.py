# Deraining on the fly from a folder of clean photographs (see clean_photos.py).
# Train on your own photographs with
#   --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./clean_photos.py']

data_root = 'data/clean'
metainfo = dict(dataset_type='clean_synthetic_rain', task_name='deraining')

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
        pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt +
        [dict(type='SynthesizeRain')] + _base_.pack))
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
