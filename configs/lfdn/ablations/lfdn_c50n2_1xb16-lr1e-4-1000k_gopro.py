# Table 9: LFDN with 2 FDNBs.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn_c50n2_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
model = dict(generator=dict(num_blocks=2))
