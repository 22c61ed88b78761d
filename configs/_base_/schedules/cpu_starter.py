# Runtime and schedule of the CPU starters: Adam 5e-4 with cosine decay to 1e-6,
# validation and a checkpoint every 500 iterations, 2-D convs in channels_last (2.1x faster
# bf16 training on a CPU with AMX, slower in fp32: docs/benchmarks.md;
# default_hooks.fast_forms.channels_last=False turns it off). One thread per run,
# OMP_NUM_THREADS=1, lets two starters train side by side on 2 cores. Children set max_iters
# and save_best.
_base_ = ['../lfdn_runtime.py']

train_cfg = dict(type='FastResumeIterBasedTrainLoop', val_interval=500)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999)))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, eta_min=1e-6)
auto_scale_lr = dict(enable=False, base_batch_size=8)

default_hooks = dict(checkpoint=dict(interval=500, max_keep_ckpts=2), logger=dict(interval=50),
                     fast_forms=dict(channels_last=True))
log_processor = dict(window_size=50)
