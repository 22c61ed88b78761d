import pytest
import torch
from mmagic.evaluation.metrics import psnr
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.registry import DefaultScope
from skimage import data

import lfdn_mm  # noqa: F401
from lfdn_mm.inference import LFDNEditor
from lfdn_mm.inference.tiling import blend_ramp, self_ensemble, tile_starts, tiled_forward
from lfdn_mm.models import LFDN

# FDNB without instance norm: every layer but the CCA statistics is local, see docs/inference.md
LOCAL_GENERATOR = dict(type='LFDN', block='rfdb', num_blocks=1, encoder_channels=16,
                       mid_channels=16, global_residual=True, identity_init=False)
SMALL_GENERATOR = dict(type='LFDN', num_blocks=1, encoder_channels=16, mid_channels=16,
                       global_residual=True, identity_init=False)


def build_editor(model_type='LFDNEditor', generator=SMALL_GENERATOR, test_cfg=None):
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(dict(
            type=model_type, generator=generator, pixel_loss=dict(type='L1Loss'),
            test_cfg=test_cfg,
            data_preprocessor=dict(type='DataPreprocessor', mean=[0.] * 3, std=[255.] * 3)))
    return model.eval()


def twin_editors(test_cfg, generator=SMALL_GENERATOR):
    """A BaseEditModel and an LFDNEditor with ``test_cfg``, sharing the same weights."""
    base = build_editor('BaseEditModel', generator)
    editor = build_editor('LFDNEditor', generator, test_cfg)
    editor.load_state_dict(base.state_dict())
    return base, editor


def predict(model, image):
    """MMagic's predict path on one CxHxW RGB image in [0, 255]; returns BGR pred_img."""
    sample = DataSample(metainfo=dict(img_channel_order='rgb'))
    batch = model.data_preprocessor(dict(inputs=[image], data_samples=[sample]))
    with torch.no_grad():
        return model(mode='predict', **batch)[0].output.pred_img


def count_calls(module):
    calls = []
    module.register_forward_pre_hook(lambda mod, args: calls.append(args[0].shape[-2:]))
    return calls


def as_hwc(pred_img):
    return pred_img.permute(1, 2, 0).double().numpy()


def test_lfdn_editor_is_registered_and_exported():
    assert MODELS.get('LFDNEditor') is LFDNEditor


def test_tiled_prediction_equals_whole_image_prediction_above_60db():
    image = torch.from_numpy(data.astronaut()).permute(2, 0, 1).float()  # 512x512 RGB
    base, editor = twin_editors(dict(tile_size=256, tile_overlap=32))
    encoder_calls = count_calls(editor.generator.encoder)
    whole, tiled = predict(base, image), predict(editor, image)
    assert len(encoder_calls) == 4  # 2 x 2 tiles, each with its halo
    assert tiled.shape == whole.shape == (3, 512, 512)
    value = psnr(as_hwc(whole), as_hwc(tiled))
    print(f'tiled (256) vs whole 512x512: {value:.2f} dB')
    assert value >= 60


def test_blended_tiles_of_a_local_network_match_the_whole_image_above_50db():
    image = torch.from_numpy(data.astronaut() / 255.).permute(2, 0, 1)[None].float()
    network = build_editor(generator=LOCAL_GENERATOR).generator
    calls = count_calls(network)
    with torch.no_grad():
        whole = network(image)
        tiled = tiled_forward(network, image, 256, 32, network.stride, network.pad)
    assert calls[1:] == [(256, 256)] * 9
    value = psnr(as_hwc(whole[0] * 255), as_hwc(tiled[0] * 255))
    assert 50 <= value < float('inf')


def row_jumps(image):
    """Mean absolute change between neighbouring rows, one value per row boundary."""
    return (image[0, :, 1:] - image[0, :, :-1]).abs().mean(dim=(0, 2))


def test_blending_leaves_no_seam_where_tile_statistics_differ():
    # instance norm gives each tile its own statistics: the error is real, but must be smooth
    image = torch.from_numpy(data.astronaut()[:256, 128:384] / 255.).permute(2, 0, 1)[None]
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16,
                   global_residual=True, identity_init=False).eval()
    with torch.no_grad():
        whole = network(image.float())
        blended = tiled_forward(network, image.float(), 128, 32, network.stride, network.pad)
        butted = tiled_forward(network, image.float(), 128, 0, network.stride, network.pad)
    boundary = 127  # the last row of the first tile of the butted run, inside the blend
    blended_jumps, butted_jumps = row_jumps(blended - whole), row_jumps(butted - whole)
    assert (blended - whole).abs().max() > 1e-3
    assert blended_jumps[boundary] < 2 * blended_jumps.median()
    assert butted_jumps[boundary] > 4 * butted_jumps.median()


def test_one_tile_covering_the_image_reproduces_the_whole_image_run():
    image = torch.randint(0, 256, (3, 45, 70)).float()  # padded to 48x80 by LFDN
    base, editor = twin_editors(dict(tile_size=128, tile_overlap=32))
    torch.testing.assert_close(predict(editor, image), predict(base, image), atol=1e-3, rtol=0)


def test_tiles_start_on_the_stride_grid_and_end_at_the_border():
    starts = tile_starts(2160, 512, 480)
    assert starts == [0, 480, 960, 1440, 1648]
    assert all(start % 16 == 0 for start in starts)
    assert tile_starts(100, 128, 96) == [0]


def test_overlap_weights_of_neighbouring_tiles_sum_to_one():
    overlap = 32
    fading_out = blend_ramp(128, overlap, fade_in=False, fade_out=True)
    fading_in = blend_ramp(128, overlap, fade_in=True, fade_out=False)
    shared = fading_out[-overlap:] + fading_in[:overlap]
    torch.testing.assert_close(shared, torch.ones(overlap))
    assert fading_out[:-overlap].eq(1).all() and fading_in[overlap:].eq(1).all()
    assert (fading_in > 0).all() and (fading_in[:overlap].diff() > 0).all()


def test_tiled_forward_rounds_tiles_to_the_stride_and_rejects_bad_settings():
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16).eval()
    calls = count_calls(network)
    with torch.no_grad():
        out = tiled_forward(network, torch.rand(1, 3, 50, 70), 30, 10, network.stride,
                            network.pad)
    assert out.shape == (1, 3, 50, 70)
    assert set(calls) == {(32, 32)}
    with pytest.raises(ValueError, match='tile_overlap'):
        tiled_forward(network, torch.rand(1, 3, 64, 64), 32, 32)
    with pytest.raises(ValueError, match='leaves no step'):
        tiled_forward(network, torch.rand(1, 3, 64, 64), 32, 20, stride=16)


def manual_eight_passes(network, x):
    """The dihedral group written with rot90: four rotations of x and of its mirror image."""
    outputs = []
    for mirrored in (False, True):
        source = x.flip(-1) if mirrored else x
        for turns in range(4):
            out = torch.rot90(network(torch.rot90(source, turns, (-2, -1))), -turns, (-2, -1))
            outputs.append(out.flip(-1) if mirrored else out)
    return torch.stack(outputs).mean(0)


def test_self_ensemble_is_the_mean_of_the_eight_flipped_and_transposed_passes():
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16).eval()
    x = torch.rand(1, 3, 32, 48)
    with torch.no_grad():
        expected = manual_eight_passes(network, x)
        torch.testing.assert_close(self_ensemble(network, x), expected, atol=1e-5, rtol=0)
        assert (expected - network(x)).abs().max() > 1e-3  # the eight passes do differ


def test_flips_ensemble_is_the_mean_of_the_four_flipped_passes():
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16).eval()
    x = torch.rand(1, 3, 32, 48)
    with torch.no_grad():
        expected = torch.stack([network(x), network(x.flip(-1)).flip(-1),
                                network(x.flip(-2)).flip(-2),
                                network(x.flip(-1, -2)).flip(-1, -2)]).mean(0)
        torch.testing.assert_close(self_ensemble(network, x, 'flips'), expected, atol=1e-5,
                                   rtol=0)
    with pytest.raises(ValueError, match="ensemble must be"):
        twin_editors(dict(ensemble='rotations'))


def test_editor_with_ensemble_predicts_the_mean_of_the_eight_passes():
    image = torch.randint(0, 256, (3, 32, 48)).float()
    base, editor = twin_editors(dict(ensemble=True))
    with torch.no_grad():
        expected = manual_eight_passes(base.generator, image[None] / 255)[0]
    expected_bgr = (expected * 255).clamp(0, 255).flip(0)
    torch.testing.assert_close(predict(editor, image), expected_bgr, atol=1e-3, rtol=0)


def test_editor_without_tiles_or_ensemble_equals_base_edit_model_exactly():
    image = torch.randint(0, 256, (3, 45, 70)).float()
    base, editor = twin_editors(dict())
    assert torch.equal(predict(editor, image), predict(base, image))
    inputs = image[None] / 255
    with torch.no_grad():
        assert torch.equal(editor(inputs, mode='tensor'), base(inputs, mode='tensor'))
    samples = DataSample(gt_img=inputs.clone())
    assert torch.equal(editor(inputs, samples, mode='loss')['loss'],
                       base(inputs, samples, mode='loss')['loss'])


@pytest.mark.parametrize('test_cfg, message', [
    (dict(tile_size=0), 'tile_size must be a positive integer'),
    (dict(tile_size=64, tile_overlap=64), r'tile_overlap must be an integer in \[0, '),
    (dict(tile_size=64, tile_overlap=-1), 'tile_overlap'),
])
def test_bad_tile_settings_in_test_cfg_are_rejected_when_building(test_cfg, message):
    with pytest.raises(ValueError, match=message):
        build_editor(test_cfg=test_cfg)
