# The built-in demo set (tools/make_demo_data.py): synthetic rain or motion blur on
# scikit-image photographs, in the benchmark layout <root>/<split>/{input,target}.
_base_ = ['./paired_loaders.py']

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(
        metainfo=dict(dataset_type='Demo', task_name='deraining'),
        data_root='data/demo_derain/train',
        pipeline={{_base_.rgb_small_crop_train_pipeline}}))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Demo', task_name='deraining'),
        data_root='data/demo_derain/val',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.rgb_val_pipeline}}))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='Demo'),
    dict(type='SSIM', convert_to='Y', prefix='Demo'),
]
val_cfg = dict(type='MultiValLoop')
test_dataloader = val_dataloader
test_evaluator = val_evaluator
test_cfg = dict(type='MultiTestLoop')
best_metric = 'Demo/PSNR'
