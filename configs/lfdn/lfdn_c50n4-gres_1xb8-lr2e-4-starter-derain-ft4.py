# Fifth stage of the CPU deraining starter: continues the fourth stage
# (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3.py, its save_best) on rain from drops at
# several depths: each streak length of a layer gets its own softness (near drops long and
# blurred, far ones short and sharp), and drop brightness varies widely within a layer. Three
# samples in eight get this rain, three in eight the fourth stage's tapered rain, one in four
# SynthesizeRain's whole range. Validation and save_best use the held-out photographs with the
# new rain drawn from a fixed seed; no test set is read. Its save_best, iteration 4000, was
# `--model derain` until the sixth stage (lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5.py)
# replaced it.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4'
work_dir = f'./work_dirs/{experiment_name}'
load_from = ('./work_dirs/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3/'
             'best_SynthFallingRain_PSNR_iter_4000.pth')

depth_rain = dict(_base_.falling_rain, length=(12, 50), density=(0.004, 0.04),
                  intensity=(0.15, 0.8), drop_brightness=(0.15, 1.0), softness=(0.3, 1.2),
                  soften_each_length=True)
train_rain = dict(type='RandomChoice',
                  transforms=[[depth_rain], [_base_.falling_rain], [dict(type='SynthesizeRain')]],
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
default_hooks = dict(checkpoint=dict(save_best='SynthDepthRain/PSNR'))
