# CPU-sized schedule: 600 iterations, Adam 5e-4 with cosine decay, validation every 200.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=600, val_interval=200)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999)))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=600, eta_min=1e-5)
auto_scale_lr = dict(enable=False, base_batch_size=8)

