# Table 6: LFDN without MSHF, FDNB and ALFM/ACFM.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000.py']
experiment_name = 'lfdn-wo-all_c50n4_1xb16-lr1e-4-1000k_rain14000'
work_dir = f'./work_dirs/{experiment_name}'
# the generator is the preset (lfdn_mm/models/presets.py), nothing else
model = dict(generator=dict(_delete_=True, type='LFDNPreset', preset='wo_all'))
