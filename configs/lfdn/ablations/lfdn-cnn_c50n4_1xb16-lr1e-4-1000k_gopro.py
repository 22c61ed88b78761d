# Table 6: LFDN plain convolution blocks instead of FDNB.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn-cnn_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
# the generator is the preset (lfdn_mm/models/presets.py), nothing else
model = dict(generator=dict(_delete_=True, type='LFDNPreset', preset='cnn'))
