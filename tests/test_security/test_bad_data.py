"""Unusual or broken images: handled correctly, or refused with the file and the reason named.

Training and test data: grayscale, RGBA and 16-bit pairs train (MMagic's ``LoadImageFromFile``
with ``color_type='color'`` makes them 8-bit RGB); pairs smaller than the training crop,
formats OpenCV cannot decode, truncated JPEGs, folders named like images and images past
Pillow's decompression-bomb limit are refused before a run. Missing, size-mismatched and
unreadable pairs are covered by tests/test_cli/test_converters.py and
tests/test_tools/test_bad_training_data.py.

Restore: images smaller than the network stride are restored; truncated JPEGs, float pixels and
unsupported formats are reported; an image that does not fit in memory is reported with the
advice to restore it in tiles.
"""
import importlib.util
import shutil

import cv2
import numpy as np
import pytest
import torch
from conftest import ROOT
from helpers.tiny_configs import write_tiny_config
from helpers.tiny_restorer import write_tiny_restorer
from mmagic.registry import TRANSFORMS
from mmengine.config import Config
from mmengine.registry import DefaultScope
from PIL import Image

from lfdn_mm.apis import inference
from lfdn_mm.cli import restore as restore_cli
from lfdn_mm.datasets.validation import PairValidationError, validate_pairs

ALPHA = np.tile(np.linspace(0, 255, 96), (96, 1)).astype(np.uint8)
#: How each odd pair is made from an 8-bit BGR image.
CONVERSIONS = {
    'gray': lambda bgr: cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY),
    'rgba': lambda bgr: np.dstack([bgr, ALPHA]),
    '16-bit': lambda bgr: bgr.astype(np.uint16) * 257,
}


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train(config, work_dir, *options):
    load_tool('train').main([str(config), '--work-dir', str(work_dir), *options])


@pytest.fixture
def demo(tiny_demo, tmp_path):
    """A copy of the tiny demo set that a test may damage."""
    return shutil.copytree(tiny_demo, tmp_path / 'demo')


def train_names(root):
    return sorted(path.name for path in (root / 'train' / 'input').iterdir())


def rewrite_pair(root, name, convert):
    originals = {}
    for folder in ('input', 'target'):
        path = root / 'train' / folder / name
        originals[folder] = cv2.imread(str(path))
        cv2.imwrite(str(path), convert(originals[folder]))
    return originals


@pytest.fixture
def odd_pairs(demo):
    """The demo set with one grayscale, one RGBA and one 16-bit training pair."""
    originals = {kind: (name, rewrite_pair(demo, name, convert))
                 for (kind, convert), name in zip(CONVERSIONS.items(), train_names(demo))}
    return demo, originals


def test_grayscale_rgba_and_16_bit_pairs_load_as_8_bit_rgb(odd_pairs, tmp_path):
    root, originals = odd_pairs
    assert validate_pairs(root / 'train', min_size=96) == 4
    config = Config.fromfile(write_tiny_config(tmp_path / 'c.py', root))
    with DefaultScope.overwrite_default_scope('mmagic'):
        load = TRANSFORMS.build(config.train_dataloader.dataset.pipeline[0])
    for kind, (name, images) in originals.items():
        loaded = load(dict(img_path=str(root / 'train' / 'input' / name)))['img']
        assert loaded.shape == (96, 96, 3) and loaded.dtype == np.uint8, kind
        expected = cv2.cvtColor(images['input'], cv2.COLOR_BGR2RGB)
        if kind == 'gray':
            expected = np.repeat(cv2.cvtColor(images['input'], cv2.COLOR_BGR2GRAY)[..., None],
                                 3, axis=2)
        assert np.abs(loaded.astype(int) - expected).max() <= 1, kind


def test_training_on_grayscale_rgba_and_16_bit_pairs_runs(odd_pairs, tmp_path, one_thread):
    root, _ = odd_pairs
    work_dir = tmp_path / 'work'
    config = write_tiny_config(tmp_path / 'c.py', root, max_iters=1)
    train(config, work_dir, '--cfg-options', 'train_dataloader.batch_size=4')  # all 4 pairs
    state = torch.load(work_dir / 'iter_1.pth', weights_only=True)
    assert all(torch.isfinite(value).all() for value in state['state_dict'].values())


def test_pairs_smaller_than_the_training_crop_stop_training_before_it_starts(demo, tmp_path):
    name = train_names(demo)[1]
    rewrite_pair(demo, name, lambda bgr: bgr[:80, :64])
    work_dir = tmp_path / 'work'
    with pytest.raises(SystemExit) as exit_info:
        train(write_tiny_config(tmp_path / 'c.py', demo), work_dir)
    message = str(exit_info.value.code)
    assert 'error: bad dataset' in message
    assert ('1 pair(s) are smaller than the 96x96 training crop (PairedRandomCrop); remove '
            f'them or lower the crop size:\n  {name}: 64x80 (input/{name})') in message
    assert not work_dir.exists()
    assert validate_pairs(demo / 'train') == 4  # test and val pipelines do not crop


def write_gif(path):
    Image.fromarray(np.full((96, 96, 3), 90, np.uint8)).save(path, format='GIF')


def truncate_jpeg(path):
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (96, 96, 3), np.uint8))
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


@pytest.mark.parametrize('name, damage, reason', [
    ('gif.png', write_gif, 'a GIF image, which OpenCV (the decoder of MMagic\'s '
     'LoadImageFromFile) cannot read'),
    ('cut.jpg', truncate_jpeg, 'OSError: image file is truncated'),
    ('folder.png', lambda path: path.mkdir(), 'a folder, not an image file'),
], ids=['gif-named-png', 'truncated-jpeg', 'folder-named-png'])
def test_files_the_training_pipeline_cannot_decode_are_named(demo, name, damage, reason):
    root = demo / 'train'
    cv2.imwrite(str(root / 'target' / name), np.zeros((96, 96, 3), np.uint8))
    damage(root / 'input' / name)
    with pytest.raises(PairValidationError) as error:
        validate_pairs(root)
    assert f'1 file(s) cannot be read as images:\n  input/{name} ({reason}' in str(error.value)


def test_images_past_the_decompression_bomb_limit_are_named(demo, monkeypatch):
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 2000)  # 96x96 exceeds twice this limit
    with pytest.raises(PairValidationError) as error:
        validate_pairs(demo / 'val')
    message = str(error.value)
    assert '4 file(s) cannot be read as images' in message
    assert 'DecompressionBombError: Image size (9216 pixels) exceeds limit' in message


# --- the restore command ---------------------------------------------------------------------

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('tiny'))
    return str(config), str(checkpoint)


SMALL_IMAGES = {'1x1.png': (1, 1, 3), 'gray_2x3.png': (2, 3), 'rgba_5x7.png': (5, 7, 4),
                'gray16_15x17.png': (15, 17)}


@pytest.mark.parametrize('tile', [[], ['--tile', '32', '--tile-overlap', '8']],
                         ids=['whole', 'tiled'])
def test_images_smaller_than_the_network_stride_are_restored(tiny, tmp_path, one_thread, tile):
    folder = tmp_path / 'in'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, shape in SMALL_IMAGES.items():
        dtype = np.uint16 if '16' in name else np.uint8
        cv2.imwrite(str(folder / name), rng.integers(0, np.iinfo(dtype).max, shape, dtype))
    out = tmp_path / 'out'
    assert restore_cli.main([*tiny, str(folder), '-o', str(out), '--no-progress', *tile]) == 0
    for name, shape in SMALL_IMAGES.items():
        restored = cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED)
        assert restored.shape == shape, name
        assert restored.dtype == (np.uint16 if '16' in name else np.uint8), name


def test_restore_names_truncated_jpegs_float_pixels_and_unsupported_formats(tiny, tmp_path,
                                                                            capsys, one_thread):
    folder = tmp_path / 'in'
    folder.mkdir()
    truncate_jpeg(folder / 'cut.jpg')
    cv2.imwrite(str(folder / 'float.tif'), np.full((8, 8, 3), 0.5, np.float32))
    write_gif(folder / 'gif.png')
    cv2.imwrite(str(folder / 'good.png'), np.full((8, 8, 3), 99, np.uint8))
    code = restore_cli.main([*tiny, str(folder), '-o', str(tmp_path / 'out'), '--no-progress'])
    output = capsys.readouterr().out
    assert code == 1
    assert 'restored 1 of 4 images' in output
    assert f'failed: {folder / "cut.jpg"}: truncated or corrupt JPEG (image file is truncated' \
        in output
    assert f'failed: {folder / "float.tif"}: unsupported pixel type float32' in output
    assert f'failed: {folder / "gif.png"}: not a readable image' in output


def fail_above(pixels, error):
    """A ``restore_tensor`` that raises ``error`` for whole images of more than ``pixels``."""
    restore_tensor = inference.restore_tensor

    def restore(network, x, tile_size=None, **options):
        if tile_size is None and x.shape[-2] * x.shape[-1] > pixels:
            raise error
        return restore_tensor(network, x, tile_size=tile_size, **options)
    return restore


@pytest.mark.parametrize('error', [
    torch.OutOfMemoryError('CUDA out of memory. Tried to allocate 38.00 GiB'),
    RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
                 'allocate memory: you tried to allocate 41943040000 bytes.'),
    MemoryError(),
], ids=['cuda', 'cpu', 'numpy'])
def test_images_too_large_for_memory_are_named_with_the_advice_to_tile(
        tiny, tmp_path, capsys, monkeypatch, one_thread, error):
    folder = tmp_path / 'in'
    folder.mkdir()
    cv2.imwrite(str(folder / 'huge.png'), np.full((64, 96, 3), 99, np.uint8))
    cv2.imwrite(str(folder / 'small.png'), np.full((8, 8, 3), 99, np.uint8))
    monkeypatch.setattr(inference, 'restore_tensor', fail_above(32 * 32, error))
    out = tmp_path / 'out'
    assert restore_cli.main([*tiny, str(folder), '-o', str(out), '--no-progress']) == 1
    assert (f'failed: {folder / "huge.png"}: out of memory restoring a 96x64 image; restore it '
            'in tiles: --tile 512 on the command line, tile_size=512 in Python'
            in capsys.readouterr().out)
    assert [path.name for path in out.iterdir()] == ['small.png']

    code = restore_cli.main([*tiny, str(folder), '-o', str(out), '--no-progress', '--tile', '32',
                             '--tile-overlap', '8'])
    assert code == 0 and sorted(path.name for path in out.iterdir()) == ['huge.png', 'small.png']


def test_out_of_memory_in_tiles_suggests_smaller_tiles(tiny, tmp_path, capsys, monkeypatch):
    image = tmp_path / 'huge.png'
    cv2.imwrite(str(image), np.full((64, 96, 3), 99, np.uint8))

    def out_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError('CUDA out of memory. Tried to allocate 9.00 GiB')

    monkeypatch.setattr(inference, 'restore_tensor', out_of_memory)
    code = restore_cli.main([*tiny, str(image), '-o', str(tmp_path / 'out'), '--no-progress',
                             '--tile', '64'])
    assert code == 1
    assert ('out of memory restoring a 96x64 image; restore it in smaller tiles than 64 '
            '(--tile 32)' in capsys.readouterr().out)


def test_errors_other_than_memory_are_not_reported_as_memory(tiny, tmp_path, capsys,
                                                             monkeypatch):
    image = tmp_path / 'odd.png'
    cv2.imwrite(str(image), np.full((8, 8, 3), 99, np.uint8))

    def broken(*args, **kwargs):
        raise RuntimeError('Given groups=1, weight of size [16, 3, 3, 3], expected 3 channels')

    monkeypatch.setattr(inference, 'restore_tensor', broken)
    assert restore_cli.main([*tiny, str(image), '-o', str(tmp_path / 'out'),
                             '--no-progress']) == 1
    output = capsys.readouterr().out
    assert f'failed: {image}: Given groups=1' in output and 'out of memory' not in output
