# LFDN on GoPro (paper Sec. 4.1.1), tested on GoPro, HIDE and Kohler.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/deblurring.py', '../_base_/schedules/lfdn_paper_1000k.py'
]
experiment_name = 'lfdn_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
default_hooks = dict(checkpoint=dict(save_best='GoProVal/PSNR'))
