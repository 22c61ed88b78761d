# Schedule of the CPU starters: Adam 5e-4 with cosine decay to 1e-6, validation every 500.
max_iters = 6000

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999)))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=1e-6)
auto_scale_lr = dict(enable=False, base_batch_size=8)

