# The CPU demo recipe with a small MMagic NAFNet (width 16) as the generator, for a side-by-side
# run with configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py.
_base_ = ['../lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py']
experiment_name = 'nafnet-in-lfdn_c16_1xb8-lr5e-4-600i_paired-derain'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(
    _delete_=True, type='NAFNet', img_channels=3, mid_channels=16,
    enc_blk_nums=[1, 1, 1, 1], middle_blk_num=1, dec_blk_nums=[1, 1, 1, 1]))
