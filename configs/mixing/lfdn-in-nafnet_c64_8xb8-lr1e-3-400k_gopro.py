# MMagic's own NAFNet GoPro recipe (AdamW, PSNR loss, cosine 400k) with LFDN as the generator.
# The base config reads training images in BGR but validation images in RGB; both read RGB here.
_base_ = ['mmagic::nafnet/nafnet_c64eb11128mb1db1111_8xb8-lr1e-3-400k_gopro.py',
          '../_base_/datasets/paired_pipelines.py']
custom_imports = dict(imports=['lfdn_mm', 'lfdn_mm.safe_checkpoints'], allow_failed_imports=False)
experiment_name = 'lfdn-in-nafnet_c64_8xb8-lr1e-3-400k_gopro'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(_delete_=True, type='LFDN'))
# the fast forms of the LFDN modules (folded ACFM, group-norm instance norm; same function)
default_hooks = dict(fast_forms=dict(type='FastFormsHook'))
train_dataloader = dict(dataset=dict(pipeline={{_base_.rgb_train_pipeline}}))
# Validation on the two GoPro training scenes the converter holds out (data/gopro/val); the
# GoPro test set stays in test_dataloader only.
val_dataloader = dict(dataset=dict(data_root='./data/gopro/val'))
