# Deblurring (paper Sec. 4.1.1): train on GoPro's 2,103 pairs; test the same model on GoPro's
# 1,111 test pairs, HIDE's 2,025 and Kohler's 48. GoPro and HIDE loaders and RGB PSNR/SSIM come
# from MMagic's base; Kohler is added in the same form.
_base_ = ['mmagic::_base_/datasets/deblurring-motion_test_config.py', './paired_loaders.py']

train_dataloader = dict(dataset=dict(
    metainfo=dict(dataset_type='GoPro', task_name='deblurring'),
    data_root='data/gopro/train',
    data_prefix=dict(img='blur', gt='sharp')))

kohler_dataloader = dict(
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Kohler', task_name='deblurring'),
        data_root='data/Kohler',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.test_pipeline}}))
kohler_evaluator = [
    dict(type='PSNR', prefix='Kohler'),
    dict(type='SSIM', prefix='Kohler'),
]

test_dataloader = [
    {{_base_.gopro_dataloader}},
    {{_base_.hide_dataloader}},
    kohler_dataloader,
]
test_evaluator = [
    {{_base_.gopro_evaluator}},
    {{_base_.hide_evaluator}},
    kohler_evaluator,
]
val_dataloader = [{{_base_.gopro_dataloader}}]
val_evaluator = [{{_base_.gopro_evaluator}}]
val_cfg = dict(type='MultiValLoop')
best_metric = 'GoPro/PSNR'
