# The derain starter's recipe in one run (`lfdn-restore --model derain`): the paper's network
# (c50, 4 FDNBs) plus a global image residual, trained from scratch with L1 on rain synthesised
# on the fly over 128 px crops of a folder of clean photographs. The rain mix is the one the
# shipped weights ended on: 3/8 rain from drops at several depths, 3/8 tapered light rain, 1/4
# SynthesizeRain's whole range. The learning rate restarts where the staged run restarted
# (5000, 3000, 2000, 4000, 4000, 4000 iterations at 5e-4, 3e-4, 2e-4, 2e-4, 2e-4, 1e-4, each
# cosine-annealed). Validation and save_best: the held-out photographs with depth rain drawn
# from a fixed seed; no test set is read. One command, resumable with --resume:
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-22000i_synrain-photos.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
# (--amp --amp-dtype bfloat16 on a CPU with native bf16; drop it elsewhere.)
# Ship rule, fixed before this config's first run: its save_best replaces the shipped derain
# weights if its PSNR (Y) on the validation set above, measured by tools/test.py with this
# config, is at least 0.05 dB above the shipped weights' on the same set (26.84 dB). Within
# 0.3 dB of it, the recipe counts as reproducing them. Rain100L is reported for both and
# decides nothing. Outcome: its save_best (iteration 21000, 27.90 dB) replaced them and is
# `--model derain` (configs/lfdn/README.md).
_base_ = [
    '../_base_/models/lfdn_paper.py', '../_base_/datasets/clean_derain.py',
    '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-22000i_synrain-photos'
work_dir = f'./work_dirs/{experiment_name}'

stage_iters = [5000, 3000, 2000, 4000, 4000, 4000]
max_iters = sum(stage_iters)
model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
train_cfg = dict(max_iters=max_iters, val_interval=1000)
optim_wrapper = dict(optimizer=dict(lr=5e-4), clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = dict(_delete_=True, type='CosineRestartLR', by_epoch=False,
                       periods=stage_iters, restart_weights=[1.0, 0.6, 0.4, 0.4, 0.4, 0.2],
                       eta_min=1e-6)

light_rain = dict(type='SynthesizeRain', layers=(1, 1), density=(0.001, 0.03), length=(10, 80),
                  width=(1, 2), intensity=(0.05, 0.6), haze_prob=0.0)
falling_rain = dict(light_rain, lengths_per_layer=(1, 4), taper=(0.3, 1.0), softness=(0.3, 1.2))
depth_rain = dict(falling_rain, length=(12, 50), density=(0.004, 0.04), intensity=(0.15, 0.8),
                  drop_brightness=(0.15, 1.0), soften_each_length=True)
train_rain = dict(type='RandomChoice',
                  transforms=[[depth_rain], [falling_rain], [dict(type='SynthesizeRain')]],
                  prob=[0.375, 0.375, 0.25])
train_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt + [train_rain] + _base_.pack))
val_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + [dict(depth_rain, seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='SynthDepthRain'),
    dict(type='SSIM', convert_to='Y', prefix='SynthDepthRain'),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(interval=1000, save_best='SynthDepthRain/PSNR'))
