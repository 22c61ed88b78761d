import os
import re

import numpy as np
import onnx
import pytest
from mmagic.evaluation.metrics import psnr

from helpers.tiny_restorer import write_tiny_restorer
from lfdn_mm.apis import inference, init_restorer, onnx_quantize, restore_image
from lfdn_mm.apis.onnx_quantize import (CALIBRATION_DATA_ENV, Calibration,
                                        cpu_has_int8_acceleration, held_out_photos)
from lfdn_mm.cli.restore import main as restore_main
from lfdn_mm.datasets.transforms import SynthesizeCameraBlur, SynthesizeMotionBlur
from lfdn_mm.utils import write_image

pytestmark = pytest.mark.slow


def smooth_photo(height, width, seed):
    """A photograph-like image: random colours, bilinearly enlarged, with a gradient."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8, width // 8, 3)).astype(np.float32)
    image = np.kron(small, np.ones((8, 8, 1), np.float32))[:height, :width]
    return np.clip(image * 0.7 + np.linspace(0, 70, width)[None, :, None], 0, 255).astype(np.uint8)


@pytest.fixture(scope='module')
def photos(tmp_path_factory):
    """20 small clean photographs: a validation split of 2 (one calibrates, one evaluates)."""
    folder = tmp_path_factory.mktemp('clean')
    for index in range(20):
        write_image(folder / f'photo{index:02d}.png', smooth_photo(72, 96, index))
    return folder


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('int8'))
    return str(config), str(checkpoint)


@pytest.fixture
def int8_cpu(monkeypatch):
    """A CPU with int8 dot products, whatever this one has."""
    monkeypatch.setattr(inference, 'cpu_has_int8_acceleration', lambda: True)


def convolutions_by_weight_type(path):
    """``(names of the Conv nodes with int8 weights, names of those with float weights)``."""
    graph = onnx.load(path).graph
    producers = {output: node for node in graph.node for output in node.output}
    convolutions = [node for node in graph.node if node.op_type == 'Conv']
    quantized = {node.name for node in convolutions if node.input[1] in producers
                 and producers[node.input[1]].op_type == 'DequantizeLinear'}
    return quantized, {node.name for node in convolutions} - quantized


def calibration(photos, **settings):
    return dict(degradation='rain', data_root=str(photos), count=2, size=48, **settings)


@pytest.mark.parametrize('flags, accelerated', [
    ('fpu sse avx2 avx512f avx512bw', False), ('avx2 avx_vnni', True),
    ('avx512f avx512_vnni avx512_bf16', True), ('avx512f amx_bf16 amx_int8 amx_tile', True)])
def test_int8_acceleration_is_read_from_the_cpu_flags(tmp_path, flags, accelerated):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text(f'processor\t: 0\nflags\t\t: {flags}\n')
    assert cpu_has_int8_acceleration(str(cpuinfo)) is accelerated
    assert cpu_has_int8_acceleration(str(tmp_path / 'missing')) is False


def test_int8_is_refused_on_a_cpu_without_int8_dot_products(tiny, photos, monkeypatch, capsys):
    monkeypatch.setattr(inference, 'cpu_has_int8_acceleration', lambda: False)
    with pytest.raises(ValueError, match=r'int8 needs a CPU with int8 dot-product .*'
                       r'this one has none, so int8 would be no faster than fp32'):
        init_restorer(*tiny, device='cpu', precision='int8', calibration=calibration(photos))
    monkeypatch.setenv(CALIBRATION_DATA_ENV, str(photos))
    image = photos / 'photo00.png'
    code = restore_main([*tiny, str(image), '-o', str(photos.parent / 'out'),
                         '--precision', 'int8', '--no-progress'])
    assert code == 2 and 'no faster than fp32' in capsys.readouterr().err
    assert not (photos.parent / 'out').exists()


@pytest.mark.parametrize('options, message', [
    (dict(backend='pytorch'), 'int8 runs with the onnxruntime backend'),
    (dict(local_statistics=64), 'TLC.*not int8'),
    (dict(calibration=None), "does not say which.*degradation='rain' or 'blur'"),
    (dict(calibration=dict(degradation='snow')), 'degradation must be one of'),
])
def test_int8_settings_that_cannot_work_are_refused(tiny, photos, int8_cpu, monkeypatch,
                                                   options, message):
    monkeypatch.setenv(CALIBRATION_DATA_ENV, str(photos))
    with pytest.raises(ValueError, match=message):
        init_restorer(*tiny, device='cpu', precision='int8', **options)


def test_int8_calibration_needs_a_folder_of_photographs(tiny, tmp_path, int8_cpu):
    missing = tmp_path / 'nothing'
    with pytest.raises(FileNotFoundError, match=f'{missing} is none.*{CALIBRATION_DATA_ENV}'):
        init_restorer(*tiny, device='cpu', precision='int8',
                      calibration=dict(degradation='blur', data_root=str(missing)))


def test_calibration_and_evaluation_photographs_are_held_out_and_apart(photos):
    calibrated = held_out_photos(photos, 'calibration')
    evaluated = held_out_photos(photos, 'evaluation')
    assert [p.name for p in calibrated] == ['photo09.png']
    assert [p.name for p in evaluated] == ['photo19.png']


def test_int8_output_is_within_40_db_of_fp32(tiny, photos, int8_cpu):
    int8 = init_restorer(*tiny, device='cpu', precision='int8', calibration=calibration(photos))
    fp32 = init_restorer(*tiny, device='cpu')
    assert int8.inference_backend == 'onnxruntime' and int8.inference_precision == 'int8'
    paths = int8.generator.paths
    assert all('.int8-' in path for path in paths.values())
    for path in paths.values():
        ops = {node.op_type for node in onnx.load(path).graph.node}
        assert {'QuantizeLinear', 'DequantizeLinear', 'Conv'} <= ops
    quantized, kept = convolutions_by_weight_type(paths['fuse'])
    assert len(quantized) == 8 and all(re.match(r'/blocks\.0/(distill|refine|last|fuse)', name)
                                       for name in quantized)
    assert {'/acfm/spatial/Conv', '/alfm/reduce/Conv'} <= kept  # kept in fp32 by choice
    image = smooth_photo(64, 80, seed=40)
    restored, expected = restore_image(int8, image), restore_image(fp32, image)
    assert restored.shape == image.shape and restored.dtype == np.uint8
    assert not np.array_equal(restored, expected)  # it did run in int8
    assert psnr(restored, expected) >= 40


def test_the_quantized_model_is_cached_and_reused(tiny, photos, int8_cpu, capsys):
    settings = calibration(photos)
    first = init_restorer(*tiny, device='cpu', precision='int8', calibration=settings)
    capsys.readouterr()
    mtime = {stage: os.stat(path).st_mtime
             for stage, path in first.generator.paths.items()}
    again = init_restorer(*tiny, device='cpu', precision='int8', calibration=settings)
    assert again.generator.paths == first.generator.paths
    assert {stage: os.stat(path).st_mtime
            for stage, path in again.generator.paths.items()} == mtime
    assert 'calibrating' not in capsys.readouterr().out
    other = init_restorer(*tiny, device='cpu', precision='int8',
                          calibration=Calibration(**calibration(photos, seed=1)))
    assert 'calibrating int8 on 2 crops of 48 px' in capsys.readouterr().out
    assert other.generator.paths['encode'] != first.generator.paths['encode']


def test_blur_calibration_draws_the_deblur_validation_camera_blur(photos, monkeypatch):
    photo = smooth_photo(64, 64, 3)
    degraded, clean = onnx_quantize.degrade(photo, 'a.png', 'blur', 7)
    expected = SynthesizeCameraBlur(seed=7).transform(dict(gt=photo, gt_path='a.png'))['img']
    np.testing.assert_array_equal(degraded, expected)
    np.testing.assert_array_equal(clean, photo)
    blur = Calibration(degradation='blur', data_root=str(photos), count=1, size=48)
    key = onnx_quantize.int8_key(blur, ['decoder convolutions'])
    monkeypatch.setitem(onnx_quantize.DEGRADATIONS, 'blur', SynthesizeMotionBlur)
    assert onnx_quantize.int8_key(blur, ['decoder convolutions']) != key
