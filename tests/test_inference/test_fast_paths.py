"""The memory-format paths of the inference package compute what the plain modules compute
(the other fast forms are tested in test_fast_forms.py)."""
import pytest
import torch

from lfdn_mm.inference import convert_for_inference, to_channels_last
from lfdn_mm.inference.fast_forms import LayoutKeepingALFM
from lfdn_mm.models import ALFM, LFDN


def channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)


def is_channels_last(x):
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def randomise(module, scale=0.3):
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(scale * torch.randn_like(parameter))
    return module


def test_alfm_channels_last_matches_contiguous_and_needs_no_copy():
    alfm = randomise(ALFM(channels=4, num_blocks=3, theta=0.05))
    outputs = [torch.randn(2, 4, 6, 5) for _ in range(3)]
    plain = alfm(outputs)
    convert_for_inference(alfm)
    assert type(alfm) is LayoutKeepingALFM
    fast = alfm([channels_last(o) for o in outputs])
    assert is_channels_last(fast)
    torch.testing.assert_close(fast, plain, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(alfm(outputs), plain, atol=1e-6, rtol=1e-6)


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
