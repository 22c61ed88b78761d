# The LFDN GoPro recipe (data, MSE, Adam, schedule) with MMagic's NAFNet (GoPro width 64) as
# the generator: both models trained and tested on exactly the same pipeline.
_base_ = ['../lfdn/lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'nafnet-in-lfdn_c64_1xb16-lr1e-4-1000k_gopro'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(
    _delete_=True, type='NAFNetLocal', img_channels=3, mid_channels=64,
    enc_blk_nums=[1, 1, 1, 28], middle_blk_num=1, dec_blk_nums=[1, 1, 1, 1]))
