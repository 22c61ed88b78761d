# LFDN on Rain14000 (paper Sec. 4.1.2), tested on its 2,800 test pairs, Rain100H, Rain100L, Test100.
_base_ = [
    '../_base_/lfdn_runtime.py', '../_base_/models/lfdn_paper.py',
    '../_base_/datasets/deraining.py', '../_base_/schedules/lfdn_paper_1000k.py'
]
experiment_name = 'lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000'
work_dir = f'./work_dirs/{experiment_name}'
default_hooks = dict(checkpoint=dict(save_best='Rain14000Val/PSNR'))
