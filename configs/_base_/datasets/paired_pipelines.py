# Pipelines shared by every task. Images are RGB from loading to metrics (MMagic's test bases
# read RGB too); training pairs get one random crop, flips and transposes.
load_pair = [
    dict(type='LoadImageFromFile', key='img', color_type='color', channel_order='rgb',
         imdecode_backend='cv2'),
    dict(type='LoadImageFromFile', key='gt', color_type='color', channel_order='rgb',
         imdecode_backend='cv2'),
    dict(type='SetValues', dictionary=dict(scale=1)),
]
augment_and_pack = [
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]

# the paper gives no crop size; 256 is the common choice for GoPro and Rain14000
rgb_train_pipeline = load_pair + [dict(type='PairedRandomCrop', gt_patch_size=256)] + augment_and_pack
# CPU-sized crops for the demo and short-budget studies
rgb_small_crop_train_pipeline = (
    load_pair + [dict(type='PairedRandomCrop', gt_patch_size=96)] + augment_and_pack)
rgb_val_pipeline = load_pair[:2] + [dict(type='PackInputs')]
