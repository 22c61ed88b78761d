# Deraining (paper Sec. 4.1.2): train on Rain14000's 11,200 pairs; test on its 2,800 test pairs,
# Rain100H, Rain100L and Test100. Test sets and Y-channel PSNR/SSIM come from MMagic's base
# (Test2800 is Rain14000's test split); Test1200 is not in the paper and is left out.
_base_ = ['mmagic::_base_/datasets/deraining_test_config.py', './paired_train_pipeline.py']

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Rain14000', task_name='deraining'),
        data_root='data/Rain14000/train',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.rgb_train_pipeline}}))

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
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='MultiValLoop')
best_metric = 'Rain100H/PSNR'
