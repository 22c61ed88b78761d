import argparse

import cv2
import numpy as np
import pytest
import torch
from helpers.tiny_restorer import write_tiny_restorer
from mmagic.apis import init_model

from lfdn_mm.apis.image_files import collect_inputs, plan_outputs, read_image
from lfdn_mm.apis.inference import CheckpointError, init_restorer, restore_image
from lfdn_mm.apis.inferencer import LFDNInferencer


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """``(config, checkpoint, saved model)`` of a small LFDN editor."""
    return write_tiny_restorer(tmp_path_factory.mktemp('tiny'))


@pytest.fixture(scope='module')
def restorer(tiny):
    config, checkpoint, _ = tiny
    return init_restorer(str(config), str(checkpoint), device='cpu')


def smooth_image(height=40, width=56, channels=3, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8, width // 8, channels)).astype(np.float32)
    image = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    image = image.reshape(height, width, channels).clip(0, 255)
    scale = 257 if dtype == np.uint16 else 1
    return np.round(image * scale).astype(dtype)


def test_init_restorer_loads_every_weight_of_the_checkpoint(tiny, restorer):
    _, _, saved = tiny
    assert not restorer.training
    for name, value in saved.state_dict().items():
        assert torch.equal(restorer.state_dict()[name], value), name
    assert restorer.generator.alfm.theta.item() == pytest.approx(0.01)


def test_missing_checkpoint_error_names_the_file(tiny, tmp_path):
    config, _, _ = tiny
    with pytest.raises(FileNotFoundError, match='checkpoint .*nowhere.pth does not exist'):
        init_restorer(str(config), str(tmp_path / 'nowhere.pth'), device='cpu')


def test_corrupt_checkpoint_error_names_the_file(tiny, tmp_path):
    config, _, _ = tiny
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CheckpointError, match='checkpoint .*corrupt.pth is truncated or corrupt'):
        init_restorer(str(config), str(corrupt), device='cpu')


def test_checkpoints_with_arbitrary_objects_are_refused(tiny, tmp_path):
    config, _, saved = tiny
    unsafe = tmp_path / 'unsafe.pth'
    torch.save(dict(state_dict=saved.state_dict(), extra=argparse.Namespace(payload=1)), unsafe)
    with pytest.raises(CheckpointError, match='unsafe.pth'):
        init_restorer(str(config), str(unsafe), device='cpu')


def test_checkpoint_of_another_model_is_refused(tiny, tmp_path):
    config, _, saved = tiny
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'generator.head.weight': torch.zeros(1)}), other)
    with pytest.raises(CheckpointError, match='other.pth does not fit the model'):
        init_restorer(str(config), str(other), device='cpu')


@pytest.mark.parametrize('channels, dtype', [(3, np.uint8), (3, np.uint16), (4, np.uint8),
                                             (4, np.uint16)])
def test_restore_image_keeps_shape_depth_and_alpha(restorer, channels, dtype):
    image = smooth_image(channels=channels, dtype=dtype)
    restored = restore_image(restorer, image)
    assert restored.shape == image.shape and restored.dtype == dtype
    assert not np.array_equal(restored[..., :3], image[..., :3])
    if channels == 4:
        assert np.array_equal(restored[..., 3], image[..., 3])


def test_16_bit_restoration_matches_8_bit_and_keeps_its_precision(restorer):
    image8 = smooth_image()
    restored8 = restore_image(restorer, image8).astype(np.int64)
    restored16 = restore_image(restorer, image8.astype(np.uint16) * 257).astype(np.int64)
    assert np.abs(restored16 / 257 - restored8).max() <= 0.51
    assert (restored16 % 257 != 0).mean() > 0.5  # not an 8-bit result scaled up


def test_grayscale_is_restored_as_three_equal_channels_and_returned_gray(restorer):
    gray = smooth_image(channels=1)[..., 0]
    restored = restore_image(restorer, gray)
    assert restored.shape == gray.shape and restored.dtype == np.uint8
    as_rgb = restore_image(restorer, np.dstack([gray] * 3)).astype(np.float64)
    luma = as_rgb @ np.array([0.299, 0.587, 0.114])
    assert np.abs(restored - luma).max() <= 1


def test_restore_image_options_override_the_config(restorer):
    image = smooth_image(96, 96)
    calls = []
    handle = restorer.generator.encoder.register_forward_pre_hook(
        lambda module, args: calls.append(tuple(args[0].shape[-2:])))
    try:
        whole = restore_image(restorer, image)
        assert calls == [(96, 96)]
        calls.clear()
        tiled = restore_image(restorer, image, tile_size=64, tile_overlap=16)
        assert len(calls) == 4  # 2 x 2 tiles, each with its halo
        calls.clear()
        restore_image(restorer, image, ensemble=True)
        assert len(calls) == 8
        calls.clear()
        restore_image(restorer, image, ensemble='flips')
        assert calls == [(96, 96)] * 4
        with pytest.raises(ValueError, match="ensemble must be True, False, 'x8' or 'flips'"):
            restore_image(restorer, image, ensemble='x4')
    finally:
        handle.remove()
    # LFDN's tiles give the whole-image result (tile_invariance)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_restore_image_rejects_float_pixels(restorer):
    with pytest.raises(TypeError, match='uint8 or uint16'):
        restore_image(restorer, np.zeros((8, 8, 3), np.float32))


def test_read_image_returns_rgb_and_reports_unreadable_files(tmp_path):
    rgb = smooth_image()
    cv2.imwrite(str(tmp_path / 'photo.png'), rgb[..., ::-1])
    assert np.array_equal(read_image(tmp_path / 'photo.png'), rgb)
    (tmp_path / 'empty.png').write_bytes(b'')
    (tmp_path / 'text.png').write_text('hello')
    with pytest.raises(ValueError, match='empty.png: empty file'):
        read_image(tmp_path / 'empty.png')
    with pytest.raises(ValueError, match='text.png: not a readable image'):
        read_image(tmp_path / 'text.png')


def test_inputs_and_outputs_are_planned_without_touching_inputs(tmp_path):
    folder = tmp_path / 'in'
    folder.mkdir()
    for name in ('b.png', 'a.jpg', 'notes.txt', '.hidden.png'):
        (folder / name).write_bytes(b'x')
    images, skipped = collect_inputs([folder])
    assert [path.name for path in images] == ['a.jpg', 'b.png']
    assert [path.name for path in skipped] == ['notes.txt']
    assert [p.name for p in collect_inputs([str(folder / '*.png')])[0]] == ['b.png']
    with pytest.raises(FileNotFoundError, match='matches no files'):
        collect_inputs([str(folder / '*.tif')])
    with pytest.raises(ValueError, match='refusing to overwrite inputs'):
        plan_outputs(images, folder)
    (tmp_path / 'out').mkdir()
    (tmp_path / 'out' / 'b.png').hardlink_to(folder / 'b.png')
    with pytest.raises(ValueError, match='is the input file'):
        plan_outputs(images, tmp_path / 'out')
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'a.jpg').write_bytes(b'y')
    with pytest.raises(ValueError, match='would both be written'):
        plan_outputs(images + [other / 'a.jpg'], tmp_path / 'out2')


def assert_nearly_equal(a, b):
    """8-bit images equal in >= 99 % of values and nowhere more than 1 apart."""
    difference = np.abs(a.astype(int) - b.astype(int))
    assert difference.max() <= 1 and (difference == 0).mean() >= 0.99


def test_mmagic_init_model_restores_like_init_restorer(tiny, restorer):
    config, checkpoint, _ = tiny
    model = init_model(str(config), str(checkpoint), device='cpu')
    image = smooth_image()
    # init_restorer's channels_last path may round a rare pixel the other way
    assert_nearly_equal(restore_image(model, image), restore_image(restorer, image))


def test_lfdn_inferencer_runs_mmagic_restoration_inferencer(tiny, restorer, tmp_path):
    config, checkpoint, _ = tiny
    image = smooth_image()
    source = tmp_path / 'rainy.png'
    cv2.imwrite(str(source), image[..., ::-1])
    inferencer = LFDNInferencer(str(config), str(checkpoint), device='cpu')
    result, restored_bgr = inferencer.infer(img=str(source),
                                            result_out_dir=str(tmp_path / 'out.png'))
    expected = restore_image(restorer, image)
    assert_nearly_equal(restored_bgr[..., ::-1], expected)
    assert_nearly_equal(cv2.imread(str(tmp_path / 'out.png'))[..., ::-1], expected)
    assert result['infer_results'].output.pred_img.shape == (3, 40, 56)


def test_restorer_takes_the_fast_exact_path_by_default(tiny):
    config, checkpoint, _ = tiny
    fast = init_restorer(str(config), str(checkpoint), device='cpu')
    plain = init_restorer(str(config), str(checkpoint), device='cpu', fast=False)
    conv = next(m for m in fast.generator.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    from lfdn_mm.models import ACFM
    from lfdn_mm.inference.fast_forms import FoldedACFM
    assert type(fast.generator.acfm) is FoldedACFM and type(plain.generator.acfm) is ACFM
    image = smooth_image(80, 96)
    assert_nearly_equal(restore_image(fast, image), restore_image(plain, image))


@pytest.mark.parametrize('native', [True, False])
def test_reduced_precision_follows_the_hardware(tiny, monkeypatch, native):
    from lfdn_mm.apis import inference
    config, checkpoint, _ = tiny
    monkeypatch.setattr(inference, 'cpu_has_native_bf16', lambda: native)
    with pytest.raises(ValueError, match='fp16 needs a CUDA GPU'):
        init_restorer(str(config), str(checkpoint), device='cpu', precision='fp16')
    with pytest.raises(ValueError, match="precision must be one of"):
        init_restorer(str(config), str(checkpoint), device='cpu', precision='int4')
    if not native:
        with pytest.raises(ValueError, match='no[ne]*.*about 10x slower'):
            init_restorer(str(config), str(checkpoint), device='cpu', precision='bf16')
        return
    bf16 = init_restorer(str(config), str(checkpoint), device='cpu', precision='bf16')
    fp32 = init_restorer(str(config), str(checkpoint), device='cpu')
    image = smooth_image(64, 64)
    restored = restore_image(bf16, image)
    assert restored.dtype == np.uint8 and restored.shape == image.shape
    assert np.abs(restored.astype(int) - restore_image(fp32, image).astype(int)).mean() < 2


def test_local_statistics_are_set_from_the_training_crop(tiny):
    from lfdn_mm.models.blocks import CCALayer
    config, checkpoint, _ = tiny
    restorer = init_restorer(str(config), str(checkpoint), device='cpu', local_statistics=96)
    assert {m.window for m in restorer.modules() if isinstance(m, CCALayer)} == {37}
    with pytest.raises(ValueError, match='training crop in pixels'):
        init_restorer(str(config), str(checkpoint), device='cpu', local_statistics=2)
