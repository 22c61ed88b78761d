# CPU-sized recipe for a folder of fixed blurred/sharp pairs
# (python tools/make_demo_data.py --task deblur).
_base_ = ['./lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py']
experiment_name = 'lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-deblur'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(dataset=dict(data_root='data/demo_deblur/train',
                                     metainfo=dict(task_name='deblurring')))
val_dataloader = dict(dataset=dict(data_root='data/demo_deblur/val',
                                   metainfo=dict(task_name='deblurring')))
test_dataloader = val_dataloader
# deblurring is reported on RGB
val_evaluator = [dict(type='PSNR', prefix='Demo'), dict(type='SSIM', prefix='Demo')]
test_evaluator = val_evaluator
