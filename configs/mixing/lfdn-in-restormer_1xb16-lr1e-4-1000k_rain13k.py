# MMagic's Restormer deraining config (its test sets, L1 loss) with LFDN as the generator.
# That config is test-only; training on Rain14000 follows the LFDN paper's schedule.
_base_ = ['mmagic::restormer/restormer_official_rain13k.py',
          '../_base_/datasets/paired_loaders.py',
          '../_base_/schedules/lfdn_paper_1000k.py']
custom_imports = dict(imports=['lfdn_mm'], allow_failed_imports=False)
experiment_name = 'lfdn-in-restormer_1xb16-lr1e-4-1000k_rain13k'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(_delete_=True, type='LFDN'))
train_dataloader = dict(dataset=dict(
    metainfo=dict(dataset_type='Rain14000', task_name='deraining'),
    data_root='data/Rain14000/train'))
val_dataloader = [{{_base_.rain100h_dataloader}}]
val_evaluator = [{{_base_.rain100h_evaluator}}]
val_cfg = dict(type='MultiValLoop')
default_hooks = dict(checkpoint=dict(save_best='Rain100H/PSNR', out_dir=None))
