"""The fast paths of the LFDN components compute what the plain formulations compute."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lfdn_mm.models import ACFM, ALFM, LFDN
from lfdn_mm.models.blocks import BatchNorm2d, CCALayer, GroupNorm, InstanceNorm2d
from lfdn_mm.models.memory_format import to_channels_last


def channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)


def is_channels_last(x):
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def randomise(module, scale=0.3):
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(scale * torch.randn_like(parameter))
    return module


@pytest.mark.parametrize('layout', [lambda x: x, channels_last])
def test_acfm_2d_convs_equal_the_conv3d_pair(layout):
    acfm = randomise(ACFM(alpha=0.4))
    x = torch.randn(2, 7, 9, 11, requires_grad=True)
    reference = acfm.channel(acfm.spatial(x.unsqueeze(1))).squeeze(1)
    fast = acfm.logits(layout(x))
    torch.testing.assert_close(fast, reference, atol=1e-5, rtol=1e-5)
    grads = torch.autograd.grad(fast.square().sum(), [x, acfm.spatial.weight,
                                                      acfm.channel.weight, acfm.spatial.bias])
    expected = torch.autograd.grad(reference.square().sum(), [
        x, acfm.spatial.weight, acfm.channel.weight, acfm.spatial.bias])
    for grad, want in zip(grads, expected):
        torch.testing.assert_close(grad, want, atol=1e-4, rtol=1e-4)


def test_acfm_keeps_channels_last():
    assert is_channels_last(randomise(ACFM(alpha=0.2))(channels_last(torch.rand(1, 6, 8, 8))))


@pytest.mark.parametrize('norm, stock', [
    (InstanceNorm2d(5, affine=True), nn.InstanceNorm2d(5, affine=True)),
    (GroupNorm(1, 5), nn.GroupNorm(1, 5)),
    (BatchNorm2d(5), nn.BatchNorm2d(5)),
])
def test_norms_match_torch_and_stay_accurate_in_channels_last(norm, stock):
    randomise(norm).train()
    stock.load_state_dict(norm.state_dict())
    stock.train()
    x = torch.randn(2, 5, 12, 10, dtype=torch.float64)
    expected = stock.double()(x).float()
    shifted = (x + 1000).float()  # a large mean: one-pass variances cancel here
    for layout in (lambda t: t, channels_last):
        out = norm(layout(shifted))
        assert out.is_contiguous(memory_format=torch.channels_last) == (layout is channels_last)
        torch.testing.assert_close(out, expected, atol=2e-3, rtol=0)


def test_instance_norm_state_dict_is_the_stock_one():
    assert InstanceNorm2d(4, affine=True).state_dict().keys() == \
        nn.InstanceNorm2d(4, affine=True).state_dict().keys()


def test_cca_statistic_is_std_plus_mean():
    cca = randomise(CCALayer(16, reduction=4))
    x = 3 + torch.randn(2, 16, 9, 7)
    std, mean = torch.std_mean(x, dim=(2, 3), unbiased=False, keepdim=True)
    torch.testing.assert_close(cca(x), x * cca.excite(std + mean))


def test_alfm_channels_last_matches_contiguous_and_needs_no_copy():
    alfm = randomise(ALFM(channels=4, num_blocks=3, theta=0.05))
    to_channels_last(alfm)
    outputs = [torch.randn(2, 4, 6, 5) for _ in range(3)]
    contiguous = alfm(outputs)
    fast = alfm([channels_last(o) for o in outputs])
    assert is_channels_last(fast)
    torch.testing.assert_close(fast, contiguous, atol=1e-5, rtol=1e-5)


def test_to_channels_last_converts_only_2d_convs_and_keeps_the_output():
    model = LFDN(theta=0.01, alpha=0.2).eval()
    keys, params = list(model.state_dict()), sum(p.numel() for p in model.parameters())
    x = torch.rand(1, 3, 40, 56)
    with torch.no_grad():
        expected = model(x)
        with pytest.raises(RuntimeError):
            LFDN().to(memory_format=torch.channels_last)
        to_channels_last(model)
        out = model(x)
    assert list(model.state_dict()) == keys
    assert sum(p.numel() for p in model.parameters()) == params
    assert model.head.weight.is_contiguous(memory_format=torch.channels_last)
    assert model.acfm.spatial.weight.dim() == 5
    torch.testing.assert_close(out, expected, atol=1e-4, rtol=1e-4)


def test_channels_last_model_trains_like_the_contiguous_one():
    torch.manual_seed(0)
    plain = LFDN(theta=0.01, alpha=0.1)
    fast = to_channels_last(LFDN(theta=0.01, alpha=0.1))
    fast.load_state_dict(plain.state_dict())
    x = torch.rand(2, 3, 32, 32)
    for model in (plain, fast):
        F.mse_loss(model(x), x).backward()
    for (name, a), b in zip(plain.named_parameters(), fast.parameters()):
        torch.testing.assert_close(b.grad, a.grad, atol=1e-4, rtol=1e-3, msg=name)
