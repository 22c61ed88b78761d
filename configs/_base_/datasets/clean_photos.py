# Training pairs synthesised on the fly from a folder of clean photographs: CleanImageDataset
# gives the photographs, the pipeline loads one as `gt`, crops and flips it, and a degradation
# (SynthesizeRain or SynthesizeCameraBlur) writes a freshly drawn `img`. Validation uses the
# held-out photographs with degradations fixed by a seed; no test set is involved.
# clean_derain.py and clean_deblur.py build their loaders from the lists below.
load_gt = [
    dict(type='LoadImageFromFile', key='gt', color_type='color', channel_order='rgb',
         imdecode_backend='cv2'),
    dict(type='SetValues', dictionary=dict(scale=1)),
]
flip_gt = [
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
]
crop_gt = [dict(type='Crop', keys=['gt'], crop_size=(128, 128), random_crop=True)]
pack = [dict(type='PackInputs')]
