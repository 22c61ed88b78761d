# Deblurring on the fly with SynthesizeMotionBlur (one global kernel per image, convolved in
# sRGB) over a folder of clean photographs, as the shipped deblur starter was trained; scored on
# RGB as the deblurring benchmarks are. clean_deblur.py has the camera blur instead.
_base_ = ['./clean_derain.py']

metainfo = dict(dataset_type='clean_synthetic_blur', task_name='deblurring')
train_dataloader = dict(dataset=dict(
    metainfo=metainfo,
    pipeline=_base_.load_gt + _base_.crop_gt + _base_.flip_gt +
    [dict(type='SynthesizeMotionBlur')] + _base_.pack))
val_dataloader = dict(dataset=dict(
    metainfo=metainfo,
    pipeline=_base_.load_gt + [dict(type='SynthesizeMotionBlur', seed=2021)] + _base_.pack))
test_dataloader = val_dataloader
val_evaluator = [dict(type='PSNR', prefix='SynthBlur'), dict(type='SSIM', prefix='SynthBlur')]
test_evaluator = val_evaluator
best_metric = 'SynthBlur/PSNR'
