# LFDN on whole 1280x720 GoPro frames, as Sec. 4.1's fusion-module size W = 320, H = 180 (the
# frame at 1/4 scale) implies; otherwise the recipe of lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py.
# Batch 4: four frames hold as many pixels as 56 crops of 256x256. Where memory forbids whole
# frames, train on 720x720 crops instead: in a child config, pipeline = load_pair +
# [dict(type='PairedRandomCrop', gt_patch_size=720)] + augment_and_pack (paired_pipelines.py).
_base_ = ['./lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py']
experiment_name = 'lfdn_c50n4_1xb4-lr1e-4-1000k_gopro-fullframe'
work_dir = f'./work_dirs/{experiment_name}'

train_dataloader = dict(batch_size=4,
                        dataset=dict(pipeline={{_base_.rgb_full_frame_train_pipeline}}))
auto_scale_lr = dict(base_batch_size=4)
