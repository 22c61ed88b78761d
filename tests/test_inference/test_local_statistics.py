"""Test-time local statistics (TLC) of the instance norms and CCA layers."""
import pytest
import torch
import torch.nn.functional as F

from torch import nn

from lfdn_mm.inference import convert_for_inference, restore_tensor
from lfdn_mm.inference.fast_forms import (FastInstanceNorm2d, WindowedCCALayer,
                                          use_local_statistics)
from lfdn_mm.inference.local_statistics import box_mean, local_mean_std, tlc_window
from lfdn_mm.models import LFDN
from lfdn_mm.models.blocks import CCALayer


def brute_force_mean_std(x, window):
    """Window statistics by listing every window (zero padding, divided by the real count)."""
    radius = window // 2
    patches = F.unfold(F.pad(x.double(), [radius] * 4), window)  # B, C*k*k, H*W
    valid = F.unfold(F.pad(torch.ones_like(x[:, :1]).double(), [radius] * 4), window)
    b, c, h, w = x.shape
    patches = patches.view(b, c, window * window, h * w)
    count = valid.sum(1, keepdim=True)
    mean = patches.sum(2) / count
    variance = ((patches - mean[:, :, None]) ** 2 * valid[:, None]).sum(2) / count
    return mean.view(b, c, h, w), variance.sqrt().view(b, c, h, w)


def test_box_statistics_equal_a_brute_force_listing_of_the_windows():
    x = torch.rand(2, 3, 9, 11)
    mean, std = brute_force_mean_std(x, 5)
    torch.testing.assert_close(box_mean(x, 5), mean)
    got_mean, got_std = local_mean_std(x, 5)
    torch.testing.assert_close(got_mean, mean.float(), atol=1e-6, rtol=0)
    torch.testing.assert_close(got_std, std.float(), atol=1e-5, rtol=0)


def test_variance_stays_accurate_under_a_large_offset():
    x = 1000 + torch.randn(1, 2, 40, 40)
    _, std = brute_force_mean_std(x, 9)
    _, got = local_mean_std(x, 9)
    torch.testing.assert_close(got.double(), std, atol=1e-3, rtol=0)


def test_a_window_covering_the_map_gives_the_global_statistics():
    x = torch.rand(2, 50, 12, 10)
    norm = convert_for_inference(nn.InstanceNorm2d(50, affine=True))
    cca = convert_for_inference(CCALayer(50))
    torch.nn.init.normal_(norm.weight)
    expected = norm(x), cca(x)
    norm.window = cca.window = 23
    torch.testing.assert_close(norm(x), expected[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(cca(x), expected[1], atol=1e-5, rtol=0)
    norm.window = 5
    assert (norm(x) - expected[0]).abs().max() > 1e-2


@pytest.mark.parametrize('convert', [False, True])
def test_use_local_statistics_sets_and_clears_every_window_and_keeps_tiles_exact(convert):
    network = LFDN(num_blocks=2, global_residual=True, identity_init=False).eval()
    if convert:
        convert_for_inference(network)
    # a plain network gets the windowed forms of its instance norms and CCA layers
    use_local_statistics(network, tlc_window(128))
    layers = [m for m in network.modules() if isinstance(m, (CCALayer, nn.InstanceNorm2d))]
    assert {type(m) for m in layers} == {WindowedCCALayer, FastInstanceNorm2d}
    assert {m.window for m in layers} == {49}
    image = torch.rand(1, 3, 200, 264)
    with torch.no_grad():
        whole, tiled = network(image), restore_tensor(network, image, tile_size=96)
        use_local_statistics(network, None)
        global_stats = network(image)
    torch.testing.assert_close(tiled, whole, atol=1e-5, rtol=0)
    assert (whole - global_stats).abs().max() > 1e-4
    assert {m.window for m in layers} == {None}


def test_convert_for_inference_sets_the_window():
    network = convert_for_inference(LFDN(num_blocks=1), window=9)
    layers = [m for m in network.modules() if isinstance(m, (CCALayer, nn.InstanceNorm2d))]
    assert {m.window for m in layers} == {9}
    with pytest.raises(ValueError, match='odd integer >= 3'):
        convert_for_inference(network, window=8)


@pytest.mark.parametrize('window', [0, 4, 1, 2.5, True])
def test_bad_windows_are_refused(window):
    with pytest.raises(ValueError, match='odd integer >= 3'):
        use_local_statistics(LFDN(num_blocks=1), window)


def test_tlc_window_is_one_and_a_half_crops_at_quarter_scale():
    assert tlc_window(128) == 49 and tlc_window(256) == 97 and tlc_window(96) == 37
