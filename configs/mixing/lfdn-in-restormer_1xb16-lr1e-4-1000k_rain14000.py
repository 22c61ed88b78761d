# MMagic's Restormer deraining config (its test sets, L1 loss) with LFDN as the generator.
# That config is test-only; training on Rain14000 follows the LFDN paper's schedule, and
# validation uses the 2 % of Rain14000's training images held out by the converter.
_base_ = ['mmagic::restormer/restormer_official_rain13k.py',
          '../_base_/datasets/paired_loaders.py',
          '../_base_/schedules/lfdn_paper_1000k.py']
custom_imports = dict(imports=['lfdn_mm', 'lfdn_mm.safe_checkpoints'], allow_failed_imports=False)
experiment_name = 'lfdn-in-restormer_1xb16-lr1e-4-1000k_rain14000'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(_delete_=True, type='LFDN'))
train_dataloader = dict(dataset=dict(
    metainfo=dict(dataset_type='Rain14000', task_name='deraining'),
    data_root='data/Rain14000/train'))
val_dataloader = [dict(
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Rain14000Val', task_name='deraining'),
        data_root='data/Rain14000/val',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.test_pipeline}}))]
val_evaluator = [[
    dict(type='PSNR', convert_to='Y', prefix='Rain14000Val'),
    dict(type='SSIM', convert_to='Y', prefix='Rain14000Val'),
]]
val_cfg = dict(type='MultiValLoop')
# fast_forms: the fast forms of the LFDN modules (folded ACFM, group-norm instance norm)
default_hooks = dict(checkpoint=dict(save_best='Rain14000Val/PSNR', out_dir=None),
                     fast_forms=dict(type='FastFormsHook'))
