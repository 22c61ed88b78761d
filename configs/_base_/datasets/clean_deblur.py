# Deblurring on the fly from a folder of clean photographs (see clean_photos.py and
# clean_derain.py): SynthesizeCameraBlur averages sub-frames along a camera path in linear
# light, as the frame-averaged deblurring sets are made. Crops of 256 px hold its paths of up to
# 96 px; scored on RGB as the deblurring benchmarks are.
_base_ = ['./clean_derain.py']

metainfo = dict(dataset_type='clean_synthetic_camera_blur', task_name='deblurring')
crop_gt = [dict(type='Crop', keys=['gt'], crop_size=(256, 256), random_crop=True,
                is_pad_zeros=True)]
train_dataloader = dict(dataset=dict(
    metainfo=metainfo,
    pipeline=_base_.load_gt + crop_gt + _base_.flip_gt + [dict(type='SynthesizeCameraBlur')] +
    _base_.pack))
val_dataloader = dict(dataset=dict(
    metainfo=metainfo,
    pipeline=_base_.load_gt + [dict(type='SynthesizeCameraBlur', seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
val_evaluator = [dict(type='PSNR', prefix='SynthCameraBlur'),
                 dict(type='SSIM', prefix='SynthCameraBlur')]
test_evaluator = val_evaluator
best_metric = 'SynthCameraBlur/PSNR'
