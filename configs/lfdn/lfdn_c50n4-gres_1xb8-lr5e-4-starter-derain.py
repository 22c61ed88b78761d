# CPU starter for deraining, shipped as `lfdn-restore --model derain`: the paper's network
# (c50, 4 FDNBs) plus a global image residual, trained with L1 on rain synthesised on the fly
# over a folder of clean photographs, on 2 CPU cores.
# Three samples in four get light rain (one layer of thin streaks, sparse to moderately dense,
# as Rain100L is described), one in four SynthesizeRain's whole light-to-heavy range.
# Validation and save_best use held-out photographs with light rain drawn from a fixed seed;
# no test set is read.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
# On a CPU with native bf16 (AVX512-BF16 or AMX) add `--amp --amp-dtype bfloat16`.
_base_ = [
    '../_base_/models/lfdn_paper.py', '../_base_/datasets/clean_derain.py',
    '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain'
work_dir = f'./work_dirs/{experiment_name}'

max_iters = 5000
model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = dict(T_max=max_iters)
# bf16 training at lr 5e-4 once diverged (loss 0.08 -> 170 in 50 iterations) without it
optim_wrapper = dict(clip_grad=dict(max_norm=1.0, norm_type=2))

light_rain = dict(type='SynthesizeRain', layers=(1, 1), density=(0.001, 0.03), length=(10, 80),
                  width=(1, 2), intensity=(0.05, 0.6), haze_prob=0.0)
train_rain = dict(type='RandomChoice', transforms=[[light_rain], [dict(type='SynthesizeRain')]],
                  prob=[0.75, 0.25])
train_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt + [train_rain] + _base_.pack))
val_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + [dict(light_rain, seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='SynthLightRain'),
    dict(type='SSIM', convert_to='Y', prefix='SynthLightRain'),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(interval=1000, save_best='SynthLightRain/PSNR'))
