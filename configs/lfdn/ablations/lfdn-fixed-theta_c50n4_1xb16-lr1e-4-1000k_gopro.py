# Table 7: ALFM scale theta fixed (values of the paper: 0.002, 0.001, 0, -0.001, -0.002,
# -0.0015, -0.0008); pick one with --cfg-options model.generator.theta=VALUE.
_base_ = ['../lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn-fixed-theta_c50n4_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'
model = dict(generator=dict(theta=-0.0015, learn_theta=False))
