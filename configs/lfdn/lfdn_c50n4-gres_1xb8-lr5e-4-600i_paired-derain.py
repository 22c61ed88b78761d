# CPU-sized recipe for a folder of fixed rainy/clean pairs (<root>/{train,val}/{input,target}),
# e.g. the fixed pairs of `python tools/make_demo_data.py`: a few minutes on 2 cores. A global
# image residual (not in the paper) makes such a short budget learn.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/demo.py', '../_base_/schedules/cpu_600i.py'
]
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(global_residual=True))
default_hooks = dict(
    checkpoint=dict(interval=200, max_keep_ckpts=2, save_best='Demo/PSNR'),
    logger=dict(interval=20),
    fast_forms=dict(channels_last=False))
log_processor = dict(window_size=20)
