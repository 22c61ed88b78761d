# Deraining (paper Sec. 4.1.2): train on Rain14000's 11,200 pairs (less 2 % held out for
# validation); test on its 2,800 test pairs,
# Rain100H, Rain100L and Test100. Test sets and Y-channel PSNR/SSIM come from MMagic's base
# (Test2800 is Rain14000's test split); Test1200 is not in the paper and is left out.
_base_ = ['mmagic::_base_/datasets/deraining_test_config.py', './paired_loaders.py']

train_dataloader = dict(dataset=dict(
    metainfo=dict(dataset_type='Rain14000', task_name='deraining'),
    data_root='data/Rain14000/train'))

test_dataloader = [
    {{_base_.test2800_dataloader}},
    {{_base_.rain100h_dataloader}},
    {{_base_.rain100l_dataloader}},
    {{_base_.test100_dataloader}},
]
test_evaluator = [
    {{_base_.test2800_evaluator}},
    {{_base_.rain100h_evaluator}},
    {{_base_.rain100l_evaluator}},
    {{_base_.test100_evaluator}},
]
# Validation (and save_best) on the 2 % of Rain14000's training clean images that
# `tools/dataset_converters/prepare.py rain14000` holds out (data/Rain14000/val, all 14
# renderings of each); no test set is read before testing.
rain14000_val_dataloader = dict(
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Rain14000Val', task_name='deraining'),
        data_root='data/Rain14000/val',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.test_pipeline}}))
rain14000_val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='Rain14000Val'),
    dict(type='SSIM', convert_to='Y', prefix='Rain14000Val'),
]
val_dataloader = [rain14000_val_dataloader]
val_evaluator = [rain14000_val_evaluator]
val_cfg = dict(type='MultiValLoop')
best_metric = 'Rain14000Val/PSNR'
