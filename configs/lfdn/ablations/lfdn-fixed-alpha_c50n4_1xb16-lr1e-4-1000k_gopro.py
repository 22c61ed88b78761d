# Table 8: ACFM scale alpha fixed (values of the paper: 0.3, 0.2, 0.1, 0, 0.1724, 0.1137);
# pick one with --cfg-options model.generator.alpha=VALUE.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn-fixed-alpha_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
# the generator is the preset (lfdn_mm/models/presets.py), nothing else
model = dict(generator=dict(_delete_=True, type='LFDNPreset', preset='fixed_alpha', alpha=0.1724))
