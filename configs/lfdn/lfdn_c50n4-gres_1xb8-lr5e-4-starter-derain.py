# CPU starter for deraining, shipped as `lfdn-restore --model derain`: the paper's network
# (c50, 4 FDNBs) plus a global image residual, trained with L1 on rain synthesised on the fly
# (SynthesizeRain, light to heavy) over a folder of clean photographs, on 2 CPU cores.
# Validation and save_best use held-out photographs only; no test set is read.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = [
    '../_base_/models/lfdn_paper.py', '../_base_/datasets/clean_derain.py',
    '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain'
work_dir = f'./work_dirs/{experiment_name}'

max_iters = 1800
model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)
default_hooks = dict(checkpoint=dict(save_best='SynthRain/PSNR'))
