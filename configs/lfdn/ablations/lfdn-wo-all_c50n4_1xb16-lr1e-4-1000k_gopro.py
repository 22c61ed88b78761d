# Table 6: LFDN without MSHF, FDNB and ALFM/ACFM.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn-wo-all_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
model = dict(generator=dict(encoder='strided', block='cnn', fusion='concat'))
