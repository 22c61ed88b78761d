# Fourth stage of the CPU deraining starter: continues the shipped third stage
# (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2.py, its save_best) on streaks drawn the way a
# falling drop paints them: fading towards both ends (taper), of several lengths within one
# layer (drops at different depths), softened across their width. Three samples in four get
# such light rain, one in four SynthesizeRain's whole range. Validation and save_best use the
# held-out photographs with this rain drawn from a fixed seed; no test set is read. Its
# save_best, iteration 4000, was `--model derain` until the fifth stage
# (lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft4.py) replaced it.
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft3'
work_dir = f'./work_dirs/{experiment_name}'
load_from = ('./work_dirs/lfdn_c50n4-gres_1xb8-lr2e-4-starter-derain-ft2/'
             'best_SynthLightRain_PSNR_iter_2000.pth')

max_iters = 4000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(T_max=max_iters)

falling_rain = dict(_base_.light_rain, lengths_per_layer=(1, 4), taper=(0.3, 1.0),
                    softness=(0.3, 1.2))
train_rain = dict(type='RandomChoice', transforms=[[falling_rain], [dict(type='SynthesizeRain')]],
                  prob=[0.75, 0.25])
train_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt + [train_rain] + _base_.pack))
val_dataloader = dict(dataset=dict(
    pipeline=_base_.load_gt + [dict(falling_rain, seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', convert_to='Y', prefix='SynthFallingRain'),
    dict(type='SSIM', convert_to='Y', prefix='SynthFallingRain'),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='SynthFallingRain/PSNR'))
