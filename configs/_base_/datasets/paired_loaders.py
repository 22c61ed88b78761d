# The training loader for paired folders (<data_root>/input, <data_root>/target); dataset
# configs fill in their data_root and metainfo.
_base_ = ['./paired_pipelines.py']

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        data_prefix=dict(img='input', gt='target'),
        pipeline={{_base_.rgb_train_pipeline}}))
