# The paper's LFDN (Sec. 3, Sec. 4.1 defaults) inside MMagic's BaseEditModel with MSE loss.
model = dict(
    type='BaseEditModel',
    generator=dict(type='LFDN', in_channels=3, out_channels=3, mid_channels=50, num_blocks=4),
    pixel_loss=dict(type='MSELoss', loss_weight=1.0, reduction='mean'),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
