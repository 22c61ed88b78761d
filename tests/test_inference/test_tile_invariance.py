"""Tiled inference of LFDN equals whole-image inference (docs/inference.md)."""
import pytest
import torch
from mmagic.evaluation.metrics import psnr
from skimage import data

from lfdn_mm.inference import convert_for_inference, restore_tensor
from lfdn_mm.inference.tile_invariance import lean_fuse, stage_halos, supports_tile_invariance
from lfdn_mm.models import LFDN


def whole_and_tiled(network, image, tile, **kwargs):
    with torch.no_grad():
        return network(image), restore_tensor(network, image, tile_size=tile, **kwargs)


def agreement(whole, tiled):
    """PSNR (dB) of the float outputs in [0, 1] and the share of equal 8-bit pixels."""
    as_255 = lambda t: t[0].permute(1, 2, 0).double().numpy() * 255  # noqa: E731
    value = psnr(as_255(whole), as_255(tiled))
    to8 = lambda t: (t.clamp(0, 1) * 255).round().to(torch.uint8)  # noqa: E731
    return value, (to8(whole) == to8(tiled)).float().mean().item()


@pytest.fixture(scope='module')
def paper_network():
    torch.manual_seed(0)
    return LFDN(global_residual=True, identity_init=False).eval()


@pytest.mark.parametrize('size,tile', [((720, 1280), 256), ((181, 237), 64)])
def test_paper_model_in_tiles_equals_the_whole_image(paper_network, size, tile):
    image = torch.rand(1, 3, *size)
    whole, tiled = whole_and_tiled(paper_network, image, tile)
    value, same8 = agreement(whole, tiled)
    print(f'paper preset, random weights, {size}, {tile} px tiles: {value:.1f} dB, '
          f'{same8:.5%} equal 8-bit pixels')
    assert tiled.shape == whole.shape
    assert value >= 60
    assert same8 >= 0.999


def test_trained_model_in_tiles_equals_the_whole_image():
    from lfdn_mm.apis.inference import init_restorer
    network = init_restorer(model='derain', device='cpu').generator
    image = torch.from_numpy(data.astronaut()[:320, :448] / 255.).permute(2, 0, 1)[None].float()
    whole, tiled = whole_and_tiled(network, image, 128)
    value, same8 = agreement(whole, tiled)
    assert value >= 60
    assert same8 >= 0.999


def test_tiles_and_ensemble_together_equal_the_whole_image_ensemble():
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16, global_residual=True,
                   identity_init=False).eval()
    image = torch.rand(1, 3, 70, 90)
    with torch.no_grad():
        whole = restore_tensor(network, image, ensemble=True)
        tiled = restore_tensor(network, image, tile_size=48, tile_overlap=16, ensemble=True)
    torch.testing.assert_close(tiled, whole, atol=1e-5, rtol=0)


def test_halos_cover_the_receptive_fields_whatever_the_weights():
    network = LFDN(num_blocks=1)  # identity_init: the last conv is zero
    encoder_halo, decoder_halo, scale = stage_halos(network)
    assert encoder_halo % network.stride == 0 and encoder_halo >= 100
    assert decoder_halo >= 3 and scale == 0.25
    assert stage_halos(network) is stage_halos(network)
    strided = LFDN(encoder='strided', num_blocks=1)
    assert stage_halos(strided)[0] < encoder_halo


def test_networks_without_stages_keep_blended_tiles():
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 3, padding=1))
    assert not supports_tile_invariance(network)
    assert supports_tile_invariance(LFDN(num_blocks=1))
    calls = []
    network.register_forward_pre_hook(lambda module, args: calls.append(args[0].shape[-2:]))
    with torch.no_grad():
        out = restore_tensor(network, torch.rand(1, 3, 100, 100), tile_size=64, tile_overlap=16)
    assert out.shape == (1, 3, 100, 100)
    assert calls == [(64, 64)] * 4


def test_blended_mode_is_kept_on_request_and_bad_modes_are_refused():
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16, global_residual=True,
                   identity_init=False).eval()
    image = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        exact = restore_tensor(network, image, tile_size=32, tile_overlap=16)
        blended = restore_tensor(network, image, tile_size=32, tile_overlap=16,
                                 tile_mode='blended')
        whole = network(image)
    torch.testing.assert_close(exact, whole, atol=1e-5, rtol=0)
    assert (blended - whole).abs().max() > 1e-3  # per-tile instance-norm statistics
    with pytest.raises(ValueError, match="tile_mode must be one of \\('exact', 'blended'\\)"):
        restore_tensor(network, image, tile_size=32, tile_overlap=16, tile_mode='seamless')


@pytest.mark.parametrize('options', [
    dict(), dict(alfm_logit_scale='l2'), dict(alfm_logit_scale='area'),
    dict(softmax_mode='max_minus', num_blocks=2), dict(block='fdnb_split'),
    dict(fusion='concat')])
@pytest.mark.parametrize('channels_last', [False, True])  # True: plain / converted network
def test_lean_middle_computes_the_same_function(options, channels_last):
    torch.manual_seed(0)
    network = LFDN(mid_channels=16, encoder_channels=16, **options).eval()
    with torch.no_grad():
        if network.acfm is not None:
            network.alfm.theta.fill_(0.3)
            network.acfm.alpha.fill_(0.5)
    feat = torch.randn(2, 16, 37, 301)
    if channels_last:
        network = convert_for_inference(network)
        feat = feat.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        expected = network.fuse(feat.clone())
    lean = lean_fuse(network, feat, band=16)
    assert lean.shape == expected.shape
    torch.testing.assert_close(lean, expected, rtol=1e-4, atol=1e-4)
    assert lean.is_contiguous(memory_format=torch.channels_last) == channels_last


def test_lean_middle_under_bf16_autocast_stays_within_bf16_rounding():
    torch.manual_seed(0)
    network = convert_for_inference(LFDN(mid_channels=16, encoder_channels=16).eval())
    feat = torch.randn(1, 16, 40, 56).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        expected = network.fuse(feat.clone())
        with torch.autocast('cpu', dtype=torch.bfloat16):
            lean = lean_fuse(network, feat, band=16)
    assert lean.shape == expected.shape
    assert (lean.float() - expected).abs().max() < 0.05 * expected.abs().max()
