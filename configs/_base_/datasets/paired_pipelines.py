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

# Training crop: a choice. Sec. 4.1 sets the fusion-module size to W = 320, H = 180, i.e. whole
# 1280x720 GoPro frames at 1/4 scale (rgb_full_frame_train_pipeline, below); 256x256 crops are
# the common choice for GoPro and Rain14000 and much cheaper (16 of them cost about one frame).
rgb_train_pipeline = (load_pair + [dict(type='PairedRandomCrop', gt_patch_size=256)] +
                      augment_and_pack)
# whole frames, flipped but not transposed (a transpose would make them 720x1280)
rgb_full_frame_train_pipeline = load_pair + augment_and_pack[:2] + augment_and_pack[3:]
# CPU-sized crops for the demo and short-budget studies
rgb_small_crop_train_pipeline = (
    load_pair + [dict(type='PairedRandomCrop', gt_patch_size=96)] + augment_and_pack)
rgb_val_pipeline = load_pair[:2] + [dict(type='PackInputs')]
