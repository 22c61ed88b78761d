from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import ROOT
from helpers.tiny_restorer import write_tiny_restorer
from lfdn_mm import pretrained
from lfdn_mm.apis import init_restorer, restore_image
from lfdn_mm.apis import onnx_backend
from lfdn_mm.apis.onnx_backend import STAGES, OnnxRuntimeStages, cache_path, user_cache_dir
from lfdn_mm.cli.restore import describe_backend
from lfdn_mm.cli.restore import main as restore_main
from lfdn_mm.utils import read_rgb, write_image

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('onnx'))
    return config, checkpoint


@pytest.fixture(scope='module')
def onnx_restorer(tiny):
    return init_restorer(*tiny, device='cpu', backend='onnxruntime')


def odd_image(height=37, width=53, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_onnxruntime_restores_like_plain_pytorch_on_odd_sizes(tiny, onnx_restorer):
    plain = init_restorer(*tiny, device='cpu', fast=False)
    assert isinstance(onnx_restorer.generator, OnnxRuntimeStages)
    for height, width in ((37, 53), (64, 31)):
        image = odd_image(height, width)
        expected, restored = restore_image(plain, image), restore_image(onnx_restorer, image)
        assert restored.shape == image.shape and restored.dtype == np.uint8
        assert np.mean(restored == expected) >= 0.99
        assert np.abs(restored.astype(int) - expected).max() <= 1
        x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
        with torch.no_grad():
            diff = (onnx_restorer.generator(x) - plain.generator(x)).abs().max().item()
        psnr = 10 * np.log10(1 / max(diff ** 2, 1e-20))
        assert psnr > 45


def test_the_export_is_cached_in_the_user_cache_by_its_hash(tiny, onnx_restorer, tmp_path):
    config, checkpoint = tiny
    paths = onnx_restorer.generator.paths
    assert list(paths) == list(STAGES)
    for stage, path in paths.items():
        assert path.endswith(f'.{stage}.onnx') and path.startswith(f'{user_cache_dir()}/')
    assert not list(checkpoint.parent.glob('*.onnx'))
    generator_cfg = onnx_restorer.cfg.model.generator.to_dict()
    mtime = cache_path(checkpoint, generator_cfg, part='fuse').stat().st_mtime
    again = init_restorer(config, checkpoint, device='cpu', backend='onnxruntime')
    assert again.generator.paths == paths
    assert cache_path(checkpoint, generator_cfg, part='fuse').stat().st_mtime == mtime
    changed = tmp_path / 'changed.pth'
    state = torch.load(checkpoint, weights_only=False)
    state['state_dict'] = {k: v + 0.01 if v.is_floating_point() else v
                           for k, v in state['state_dict'].items()}
    torch.save(state, changed)
    other = init_restorer(config, changed, device='cpu', backend='onnxruntime')
    assert other.generator.paths['fuse'] != paths['fuse']
    assert other.generator.paths['fuse'].startswith(f'{user_cache_dir()}/changed.')
    assert not list(tmp_path.glob('*.onnx'))


def test_the_cache_folder_is_read_from_the_environment_at_each_call(tmp_path, monkeypatch):
    checkpoint = tmp_path / 'weights' / 'model.pth'  # a writable folder: never used
    checkpoint.parent.mkdir()
    checkpoint.write_bytes(b'weights')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    monkeypatch.setenv('LFDN_MM_CACHE', str(tmp_path / 'own'))
    assert cache_path(checkpoint, {}).parent == tmp_path / 'own'
    monkeypatch.delenv('LFDN_MM_CACHE')
    assert cache_path(checkpoint, {}).parent == tmp_path / 'xdg' / 'lfdn_mm' / 'onnx'
    monkeypatch.setenv('XDG_CACHE_HOME', '')
    assert cache_path(checkpoint, {}).parent == tmp_path / 'home' / '.cache' / 'lfdn_mm' / 'onnx'
    monkeypatch.delenv('XDG_CACHE_HOME')
    path = cache_path(checkpoint, {}, part='fuse')
    assert path.parent == tmp_path / 'home' / '.cache' / 'lfdn_mm' / 'onnx'
    assert path.name.startswith('model.') and path.name.endswith('.fuse.onnx')
    assert cache_path(checkpoint, {}, cache_dir=tmp_path / 'given').parent == tmp_path / 'given'


def test_exports_go_to_the_user_cache_not_the_package(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv('LFDN_MM_CACHE')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    package_exports = sorted((ROOT / 'lfdn_mm').rglob('*.onnx'))
    write_image(tmp_path / 'in' / 'photo.png', odd_image())
    code = restore_main(['--model', 'derain', str(tmp_path / 'in'), '-o', str(tmp_path / 'out'),
                         '--backend', 'onnxruntime', '--no-progress'])
    assert code == 0 and read_rgb(tmp_path / 'out' / 'photo.png').shape == (37, 53, 3)
    cache = tmp_path / 'xdg' / 'lfdn_mm' / 'onnx'
    assert f'exporting the generator to {cache} ' in capsys.readouterr().out
    assert sorted(p.name.split('.')[-2] for p in cache.glob('lfdn_starter_derain.*.onnx')) == \
        sorted(STAGES)
    assert sorted((ROOT / 'lfdn_mm').rglob('*.onnx')) == package_exports == []
    assert not list(pretrained.CHECKPOINT_DIR.glob('*.onnx'))
    assert not (tmp_path / 'home').exists()
    monkeypatch.delenv('XDG_CACHE_HOME')
    config, checkpoint = tiny
    restorer = init_restorer(config, checkpoint, device='cpu', backend='onnxruntime')
    home_cache = tmp_path / 'home' / '.cache' / 'lfdn_mm' / 'onnx'
    assert sorted(map(Path, restorer.generator.paths.values())) == \
        sorted(home_cache.glob('tiny_lfdn.*.onnx'))
    assert len(restorer.generator.paths) == len(STAGES)
    assert not list(checkpoint.parent.glob('*.onnx'))


def test_tiny_images_and_exact_tiles_match_pytorch(tiny, onnx_restorer):
    plain = init_restorer(*tiny, device='cpu', fast=False)
    tiny_image = odd_image(5, 7)
    assert np.array_equal(restore_image(onnx_restorer, tiny_image, tile_size=0),
                          restore_image(plain, tiny_image, tile_size=0))
    image = odd_image(90, 131, seed=3)
    whole = restore_image(plain, image, tile_size=0)
    tiled = restore_image(onnx_restorer, image, tile_size=48, tile_overlap=16)
    assert np.mean(tiled == whole) >= 0.999


@pytest.mark.parametrize('options, message', [
    (dict(backend='tensorrt'), 'backend must be one of auto, pytorch, onnxruntime'),
    (dict(backend='onnxruntime', precision='bf16'), 'fp32 only'),
    (dict(backend='onnxruntime', local_statistics=64), 'TLC.*pytorch'),
])
def test_backend_combinations_that_cannot_work_are_refused(tiny, options, message, monkeypatch):
    monkeypatch.setattr('lfdn_mm.apis.inference.cpu_has_native_bf16', lambda: True)
    with pytest.raises(ValueError, match=message):
        init_restorer(*tiny, device='cpu', **options)


def test_auto_backend_gives_only_large_images_to_onnxruntime(tmp_path, monkeypatch):
    config, checkpoint, _ = write_tiny_restorer(tmp_path)
    cache = tmp_path / 'cache'
    monkeypatch.setenv('LFDN_MM_CACHE', str(cache))
    plain = init_restorer(config, checkpoint, device='cpu', fast=False)
    auto = init_restorer(config, checkpoint, device='cpu')
    assert auto.inference_backend == 'auto' and plain.inference_backend == 'pytorch'
    assert describe_backend(auto) == 'auto (onnxruntime from 0.66 megapixels, pytorch below)'
    small, large = odd_image(37, 53), odd_image(65, 97, seed=1)
    auto.generator_for.min_pixels = 65 * 97
    assert np.array_equal(restore_image(auto, small), restore_image(plain, small))
    assert auto.generator_for.large is None and not cache.exists()
    restored, expected = restore_image(auto, large), restore_image(plain, large)
    assert isinstance(auto.generator_for.large, OnnxRuntimeStages)
    assert len(list(cache.glob('tiny_lfdn.*.onnx'))) == len(STAGES)
    assert not list(tmp_path.glob('*.onnx'))
    assert np.mean(restored == expected) >= 0.99
    assert np.abs(restored.astype(int) - expected).max() <= 1
    in_tiles = restore_image(auto, large, tile_size=48, tile_overlap=16)
    tiled = auto.generator_for(65, 97, tiled=True)
    assert tiled.pytorch_middle and tiled.sessions is auto.generator_for.large.sessions
    assert tiled.fallback is auto.generator  # the lean middle of PyTorch's fast forms
    assert np.mean(in_tiles == expected) >= 0.99


@pytest.mark.parametrize('options', [
    dict(precision='bf16'), dict(local_statistics=64), dict(fast=False), dict()])
def test_auto_backend_is_pytorch_where_onnxruntime_cannot_run(tiny, options, monkeypatch):
    monkeypatch.setattr('lfdn_mm.apis.inference.cpu_has_native_bf16', lambda: True)
    if not options:  # onnxruntime not installed
        monkeypatch.setattr(onnx_backend, 'onnxruntime_available', lambda: False)
    restorer = init_restorer(*tiny, device='cpu', **options)
    assert restorer.inference_backend == 'pytorch'
    assert not hasattr(restorer, 'generator_for')


def test_onnxruntime_backend_refuses_cuda(tiny, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    with pytest.raises(ValueError, match='runs on the CPU'):
        init_restorer(*tiny, device='cuda', backend='onnxruntime')


def test_restore_command_takes_the_onnxruntime_backend(tiny, tmp_path, capsys):
    write_image(tmp_path / 'in' / 'photo.png', odd_image())
    code = restore_main([*map(str, tiny), str(tmp_path / 'in'), '-o', str(tmp_path / 'out'),
                         '--backend', 'onnxruntime', '--no-progress'])
    assert code == 0
    assert read_rgb(tmp_path / 'out' / 'photo.png').shape == (37, 53, 3)
    assert 'with onnxruntime' in capsys.readouterr().out
