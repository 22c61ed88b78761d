import pytest
import torch

from lfdn_mm.models import LFDN, PRESETS, build_lfdn_preset
from lfdn_mm.models.presets import TABLE7_THETAS, TABLE8_ALPHAS


def run_forward_backward(model, shape=(2, 3, 20, 28)):
    x = torch.rand(shape)
    out = model(x)
    assert out.shape == x.shape and torch.isfinite(out).all()
    out.mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize('preset', sorted(PRESETS))
def test_every_preset_builds_and_trains(preset):
    run_forward_backward(build_lfdn_preset(preset))


@pytest.mark.parametrize('switches', [
    dict(norm='batch'), dict(norm='layer'), dict(norm='none'),
    dict(softmax_mode='max_minus'), dict(global_residual=True), dict(num_levels=3),
    dict(pad_mode='replicate'), dict(with_checkpoint=True),
    dict(encoder='strided', fusion='concat'), dict(block='cnn', num_blocks=2),
])
def test_switches_build_and_train(switches):
    run_forward_backward(LFDN(**switches))


def test_preset_switches_reach_the_network():
    assert type(build_lfdn_preset('wo_mshf').encoder).__name__ == 'StridedEncoder'
    assert build_lfdn_preset('wo_mshf').stride == 4
    assert type(build_lfdn_preset('cnn').blocks[0]).__name__ == 'PlainBlock'
    assert type(build_lfdn_preset('wo_fusion').alfm).__name__ == 'ConcatFusion'
    assert build_lfdn_preset('wo_fusion').acfm is None
    rfdb = build_lfdn_preset('rfdb').blocks[0]
    assert all(isinstance(d[1], torch.nn.Identity) for d in rfdb.distill)
    assert len(build_lfdn_preset('blocks_6').blocks) == 6


@pytest.mark.parametrize('theta', TABLE7_THETAS)
def test_table7_fixed_theta(theta):
    model = build_lfdn_preset('fixed_theta', theta=theta)
    assert not model.alfm.theta.requires_grad
    assert model.alfm.theta.item() == pytest.approx(theta)


@pytest.mark.parametrize('alpha', TABLE8_ALPHAS)
def test_table8_fixed_alpha(alpha):
    model = build_lfdn_preset('fixed_alpha', alpha=alpha)
    assert model.acfm.alpha.item() == pytest.approx(alpha)


def test_unknown_preset_names_the_choices():
    with pytest.raises(KeyError, match='unknown LFDN preset .*wo_mshf'):
        build_lfdn_preset('wo_everything')
