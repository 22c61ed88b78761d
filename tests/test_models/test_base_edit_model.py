import torch
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

import lfdn_mm  # noqa: F401


def build_edit_model():
    with DefaultScope.overwrite_default_scope('mmagic'):
        return MODELS.build(dict(
            type='BaseEditModel',
            generator=dict(type='LFDN', num_blocks=2),
            pixel_loss=dict(type='MSELoss', loss_weight=1.0, reduction='mean'),
            data_preprocessor=dict(type='DataPreprocessor', mean=[0.] * 3, std=[255.] * 3)))


def make_batch(height=24, width=36):
    degraded = torch.randint(0, 256, (3, height, width)).float()
    clean = degraded.clamp(20, 230)
    sample = DataSample(gt_img=clean)
    sample.set_metainfo(dict(img_channel_order='rgb', gt_channel_order='rgb'))
    return dict(inputs=[degraded], data_samples=[sample])


def test_base_edit_model_runs_a_train_step_with_lfdn():
    model = build_edit_model()
    optimizer = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    before = model.generator.head.weight.detach().clone()
    log_vars = model.train_step(make_batch(), optimizer)
    assert set(log_vars) == {'loss'} and torch.isfinite(torch.tensor(log_vars['loss']))
    assert not torch.equal(before, model.generator.head.weight)


def test_base_edit_model_runs_a_val_step_with_lfdn():
    model = build_edit_model().eval()
    outputs = model.val_step(make_batch(height=23, width=41))
    assert len(outputs) == 1
    prediction = outputs[0].output.pred_img
    assert prediction.shape == (3, 23, 41)
    assert 0 <= prediction.min() and prediction.max() <= 255
