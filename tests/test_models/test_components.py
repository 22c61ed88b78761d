import pytest
import torch

from lfdn_mm.models import ACFM, ALFM, FDNB, MSHF


def test_mshf_outputs_a_quarter_scale_map():
    out = MSHF(channels=8)(torch.rand(2, 8, 64, 48))
    assert out.shape == (2, 8, 16, 12)


def test_fdnb_keeps_the_shape_and_normalises_distilled_features():
    block = FDNB(channels=50)
    assert block(torch.rand(1, 50, 12, 12)).shape == (1, 50, 12, 12)
    assert isinstance(block.distill[0][1], torch.nn.InstanceNorm2d)
    assert block.distill[0][0].out_channels == 25


def test_alfm_with_zero_theta_is_the_plain_reduction():
    alfm = ALFM(channels=4, num_blocks=3)
    outputs = [torch.rand(2, 4, 5, 6) for _ in range(3)]
    expected = alfm.reduce(torch.cat(outputs, dim=1))
    torch.testing.assert_close(alfm(outputs), expected)


def test_alfm_matches_equations_9_and_10():
    alfm = ALFM(channels=2, num_blocks=2, theta=0.5)
    outputs = [torch.rand(1, 2, 3, 3) for _ in range(2)]
    f = torch.cat(outputs, dim=1).view(1, 4, 9)
    attention = torch.softmax(f @ f.transpose(1, 2), dim=-1)
    expected = alfm.reduce((0.5 * attention @ f + f).view(1, 4, 3, 3))
    torch.testing.assert_close(alfm(outputs), expected)


def test_alfm_attention_runs_in_float32_under_autocast(monkeypatch):
    alfm = ALFM(channels=4, num_blocks=2, theta=0.1)
    seen = []
    original = alfm.attention
    monkeypatch.setattr(alfm, 'attention', lambda f: seen.append(f.dtype) or original(f))
    outputs = [30 * torch.rand(1, 4, 16, 16) for _ in range(2)]  # energies overflow fp16
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = alfm([o.bfloat16() for o in outputs])
    assert seen == [torch.float32]
    assert torch.isfinite(out.float()).all()


@pytest.mark.parametrize('mode', ['plain', 'max_minus'])
def test_alfm_attention_rows_sum_to_one(mode):
    alfm = ALFM(channels=3, num_blocks=2, softmax_mode=mode)
    attention = alfm.attention(torch.rand(2, 6, 10))
    torch.testing.assert_close(attention.sum(-1), torch.ones(2, 6))


def test_acfm_matches_equation_11():
    acfm = ACFM(alpha=0.3)
    x = torch.rand(2, 5, 4, 4)
    weight = torch.sigmoid(acfm.channel(acfm.spatial(x[:, None])))[:, 0]
    torch.testing.assert_close(acfm(x), x + 0.3 * weight * x)
