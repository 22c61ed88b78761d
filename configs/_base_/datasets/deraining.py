# Deraining (paper Sec. 4.1.2): train on Rain14000's 11,200 pairs; test on its 2,800 test pairs,
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
# validation during training on Rain100H only (the paper's ablation set); test on all four
val_dataloader = [{{_base_.rain100h_dataloader}}]
val_evaluator = [{{_base_.rain100h_evaluator}}]
val_cfg = dict(type='MultiValLoop')
best_metric = 'Rain100H/PSNR'
