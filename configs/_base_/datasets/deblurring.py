# Deblurring (paper Sec. 4.1.1): train on GoPro's 2,103 pairs (less two scenes held out for
# validation); test the same model on GoPro's
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
# Validation (and save_best) on two GoPro training scenes that
# `tools/dataset_converters/prepare.py gopro` holds out of training (data/gopro/val); no test set
# is read before testing.
gopro_val_dataloader = dict(
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='GoProVal', task_name='deblurring'),
        data_root='data/gopro/val',
        data_prefix=dict(img='blur', gt='sharp'),
        pipeline={{_base_.test_pipeline}}))
gopro_val_evaluator = [
    dict(type='PSNR', prefix='GoProVal'),
    dict(type='SSIM', prefix='GoProVal'),
]
val_dataloader = [gopro_val_dataloader]
val_evaluator = [gopro_val_evaluator]
val_cfg = dict(type='MultiValLoop')
best_metric = 'GoProVal/PSNR'
