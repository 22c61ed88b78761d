# Table 6: LFDN concatenation instead of ALFM/ACFM.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000.py']
experiment_name = 'lfdn-wo-fusion_c50n4_1xb16-lr1e-4-1000k_rain14000'
work_dir = f'./work_dirs/{experiment_name}'
model = dict(generator=dict(fusion='concat'))
