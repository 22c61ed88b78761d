import pytest
import torch

from lfdn_mm.models import ACFM, ALFM, FDNB, MSHF, SplitFDNB
from lfdn_mm.models.blocks import CCALayer


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


def test_split_fdnb_follows_equations_1_to_8_with_a_channel_split():
    block = SplitFDNB(channels=50, split_ratio=0.5, norm_cfg=None)
    x = torch.rand(1, 50, 12, 12)
    assert block(x).shape == x.shape
    # each step: 1x1 on the first 25 channels, 3x3 on the other 25, recombined plus residual
    feat, distilled = x, []
    for distill, refine in zip(block.distill, block.refine):
        fine = distill(feat[:, :25])
        distilled.append(fine)
        feat = torch.nn.functional.leaky_relu(
            torch.cat((fine, refine(feat[:, 25:])), 1) + feat, 0.05)
    distilled.append(torch.nn.functional.leaky_relu(block.last(feat[:, 25:]), 0.05))
    expected = block.cca(block.fuse(torch.cat(distilled, 1))) + x
    torch.testing.assert_close(block(x), expected)


@pytest.mark.parametrize('ratio', [0.25, 0.5, 0.75])
def test_split_fdnb_size_follows_the_split_ratio(ratio):
    block = SplitFDNB(channels=50, split_ratio=ratio)
    assert block.distill[0].in_channels == round(50 * ratio)
    assert block.refine[0].in_channels == 50 - round(50 * ratio)
    assert block(torch.rand(2, 50, 8, 8)).shape == (2, 50, 8, 8)


@pytest.mark.parametrize('ratio', [0, 1, -0.5, 1.5])
def test_split_fdnb_rejects_a_ratio_outside_0_1(ratio):
    with pytest.raises(ValueError, match='split_ratio must be in \\(0, 1\\)'):
        SplitFDNB(channels=50, split_ratio=ratio)


def test_split_fdnb_grows_the_network_as_table_9():
    """Table 9: 1.46, 1.49, ..., 1.61 M for N = 1..6, i.e. 0.03 M per block."""
    from lfdn_mm.models import LFDN
    sizes = [sum(p.numel() for p in LFDN(block='fdnb_split', num_blocks=n).parameters())
             for n in range(1, 7)]
    steps = [b - a for a, b in zip(sizes, sizes[1:])]
    assert all(20_000 <= step <= 40_000 for step in steps), steps


@pytest.mark.parametrize('scale,invariant', [('none', False), ('area', True), ('l2', True)])
def test_alfm_logit_scale_makes_attention_independent_of_the_image_size(scale, invariant):
    alfm = ALFM(channels=3, num_blocks=2, logit_scale=scale)
    small = torch.rand(1, 6, 8, 8)
    large = small.repeat_interleave(3, dim=2).repeat_interleave(3, dim=3)  # 9x the positions
    a_small, a_large = (alfm.attention(f.flatten(2)) for f in (small, large))
    assert torch.allclose(a_small, a_large, atol=1e-5) is invariant


def test_alfm_rejects_an_unknown_logit_scale():
    with pytest.raises(ValueError, match="logit_scale must be 'none', 'area' or 'l2'"):
        ALFM(logit_scale='sqrt')


def test_cca_statistic_is_std_plus_mean():
    cca = CCALayer(16, reduction=4)
    with torch.no_grad():
        for parameter in cca.parameters():
            parameter.copy_(0.3 * torch.randn_like(parameter))
    x = 3 + torch.randn(2, 16, 9, 7)
    std, mean = torch.std_mean(x, dim=(2, 3), unbiased=False, keepdim=True)
    torch.testing.assert_close(cca(x), x * cca.excite(std + mean))
