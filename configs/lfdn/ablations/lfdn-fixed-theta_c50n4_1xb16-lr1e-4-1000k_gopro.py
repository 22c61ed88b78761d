# Table 7: ALFM scale theta fixed (values of the paper: 0.002, 0.001, 0, -0.001, -0.002,
# -0.0015, -0.0008); pick one with --cfg-options model.generator.theta=VALUE.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn-fixed-theta_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
# the generator is the preset (lfdn_mm/models/presets.py), nothing else
model = dict(generator=dict(_delete_=True, type='LFDNPreset', preset='fixed_theta', theta=-0.0015))
