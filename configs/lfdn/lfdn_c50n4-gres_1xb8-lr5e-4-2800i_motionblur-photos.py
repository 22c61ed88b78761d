# The deblur starter's recipe in one run (`lfdn-restore --model deblur`): the paper's network
# (c50, 4 FDNBs) plus a global image residual, trained from scratch with L1 on global motion
# blur synthesised on the fly (SynthesizeMotionBlur) over 128 px crops of a folder of clean
# photographs. The learning rate restarts where the staged run restarted (1000 then 1800
# iterations, at 5e-4 then 3e-4, each cosine-annealed), with gradient clipping throughout.
# Validation and save_best: the held-out photographs with blur drawn from a fixed seed; no test
# set is read. One command, resumable with --resume:
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-2800i_motionblur-photos.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
# (--amp --amp-dtype bfloat16 on a CPU with native bf16; drop it elsewhere.)
# Ship rule, fixed before this config's first run: its save_best replaces the shipped deblur
# weights if its PSNR (RGB) on the validation set above, measured by tools/test.py with this
# config, is at least 0.05 dB above theirs on the same set (21.49 dB). Within 0.3 dB of it,
# the recipe counts as reproducing them.
_base_ = [
    '../_base_/models/lfdn_paper.py', '../_base_/datasets/clean_motion_blur.py',
    '../_base_/schedules/cpu_starter.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-2800i_motionblur-photos'
work_dir = f'./work_dirs/{experiment_name}'

stage_iters = [1000, 1800]
max_iters = sum(stage_iters)
model = dict(generator=dict(global_residual=True),
             pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'))
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4), clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = dict(_delete_=True, type='CosineRestartLR', by_epoch=False,
                       periods=stage_iters, restart_weights=[1.0, 0.6], eta_min=1e-6)
default_hooks = dict(checkpoint=dict(save_best='SynthBlur/PSNR'))
