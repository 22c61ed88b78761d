# Paper Sec. 4.1: MSE loss, Adam (0.9, 0.999), weight decay 1e-4, lr 1e-4 multiplied by 0.1
# every 5e5 iterations. The paper gives neither the total length nor the batch size: 1M
# iterations (one decay, at 500k) at batch 16 on one GPU.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1_000_000, val_interval=20_000)

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4))
param_scheduler = dict(type='StepLR', by_epoch=False, step_size=500_000, gamma=0.1)

# --auto-scale-lr scales lr by (GPUs x batch per GPU) / base_batch_size
auto_scale_lr = dict(enable=False, base_batch_size=16)
