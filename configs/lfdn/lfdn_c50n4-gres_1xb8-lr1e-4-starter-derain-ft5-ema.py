# The sixth derain stage (lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5.py), shortened to
# 3000 iterations, with the rate warmed up linearly over its first 200 iterations (a fresh
# Adam's first steps move every weight by about the full rate) and an exponential moving average
# of the weights (MMEngine's EMAHook): validation, save_best and the saved `state_dict` use the
# averaged weights, the raw ones are kept as `ema_state_dict`. Trained beside the sixth stage,
# it avoided the restart's dip but validated lower at the end (configs/lfdn/README.md).
#   python tools/train.py configs/lfdn/lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5-ema.py \
#       --amp --amp-dtype bfloat16 \
#       --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
_base_ = ['./lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr1e-4-starter-derain-ft5-ema'
work_dir = f'./work_dirs/{experiment_name}'

max_iters = 3000
warmup_iters = 200
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(type='LinearLR', by_epoch=False, start_factor=1e-3, begin=0, end=warmup_iters),
    dict(_base_.param_scheduler, T_max=max_iters, begin=0, end=max_iters),
]
custom_hooks = [dict(type='EMAHook', momentum=0.001)]
