import re
import runpy
import sys

import cv2
import numpy as np
import pytest
from conftest import ROOT
from helpers.tiny_restorer import write_tiny_restorer

from lfdn_mm.cli import restore as restore_cli

GOOD = ('rgb8.png', 'rgb16.png', 'gray.png', 'rgba.png')
BAD = ('broken.png', 'empty.png', 'text.jpg')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, _ = write_tiny_restorer(tmp_path_factory.mktemp('tiny'))
    return str(config), str(checkpoint)


def gradient(height=40, width=56):
    y, x = np.mgrid[0:height, 0:width]
    return np.dstack([x * 4, y * 5, (x + y) * 2]).astype(np.float64) % 256


def make_input_folder(folder):
    """Good images of four kinds, three unreadable files and a text file."""
    folder.mkdir()
    rgb = gradient()
    cv2.imwrite(str(folder / 'rgb8.png'), rgb.astype(np.uint8))
    cv2.imwrite(str(folder / 'rgb16.png'), (rgb * 257).astype(np.uint16))
    cv2.imwrite(str(folder / 'gray.png'), rgb[..., 0].astype(np.uint8))
    alpha = np.tile(np.linspace(0, 255, 56), (40, 1))
    cv2.imwrite(str(folder / 'rgba.png'), np.dstack([rgb, alpha]).astype(np.uint8))
    good_bytes = (folder / 'rgb8.png').read_bytes()
    (folder / 'broken.png').write_bytes(good_bytes[:len(good_bytes) // 2])
    (folder / 'empty.png').write_bytes(b'')
    (folder / 'text.jpg').write_text('this is not an image\n')
    (folder / 'notes.txt').write_text('restore these\n')
    return folder


def snapshot(folder):
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.iterdir())}


def test_restore_folder_restores_good_images_and_reports_bad_ones(tiny, tmp_path, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    before = snapshot(inputs)
    out = tmp_path / 'out'
    code = restore_cli.main([*tiny, str(inputs), '-o', str(out), '--tile', '32',
                             '--tile-overlap', '16'])
    captured = capsys.readouterr()
    assert code == 1
    assert snapshot(inputs) == before
    assert sorted(path.name for path in out.iterdir()) == sorted(GOOD)  # no temp files left
    assert 'restored 4 of 7 images' in captured.out and '3 failed' in captured.out
    for name in BAD:
        assert re.search(rf'failed: .*{name}: ', captured.out), name
    assert 'skipped (no image suffix): ' in captured.out and 'notes.txt' in captured.out

    expectations = {'rgb8.png': ((40, 56, 3), np.uint8), 'rgb16.png': ((40, 56, 3), np.uint16),
                    'gray.png': ((40, 56), np.uint8), 'rgba.png': ((40, 56, 4), np.uint8)}
    for name, (shape, dtype) in expectations.items():
        restored = cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED)
        source = cv2.imread(str(inputs / name), cv2.IMREAD_UNCHANGED)
        assert restored.shape == shape and restored.dtype == dtype, name
        assert not np.array_equal(restored, source), name
    rgba_in = cv2.imread(str(inputs / 'rgba.png'), cv2.IMREAD_UNCHANGED)
    rgba_out = cv2.imread(str(out / 'rgba.png'), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(rgba_out[..., 3], rgba_in[..., 3])
    assert (cv2.imread(str(out / 'rgb16.png'), cv2.IMREAD_UNCHANGED) % 257 != 0).any()


def test_restore_refuses_to_write_into_the_input_folder(tiny, tmp_path, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    before = snapshot(inputs)
    assert restore_cli.main([*tiny, str(inputs), '-o', str(inputs)]) == 2
    assert 'refusing to overwrite inputs' in capsys.readouterr().err
    assert snapshot(inputs) == before


def test_restore_names_a_missing_checkpoint(tiny, tmp_path, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    missing = tmp_path / 'missing.pth'
    assert restore_cli.main([tiny[0], str(missing), str(inputs), '-o', str(tmp_path / 'o')]) == 2
    assert f'checkpoint {missing} does not exist' in capsys.readouterr().err
    assert not (tmp_path / 'o').exists()


def test_restore_glob_of_good_images_exits_zero(tiny, tmp_path, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    out = tmp_path / 'out'
    code = restore_cli.main([*tiny, str(inputs / 'rgb[0-9]*.png'), '-o', str(out), '--ensemble',
                             '--no-progress'])
    assert code == 0
    assert 'ensemble x8' in capsys.readouterr().out
    assert sorted(path.name for path in out.iterdir()) == ['rgb16.png', 'rgb8.png']


def test_restore_ensemble_choices(tiny, tmp_path, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    code = restore_cli.main([*tiny, str(inputs / 'rgb8.png'), '-o', str(tmp_path / 'flips'),
                             '--ensemble', 'flips', '--no-progress'])
    assert code == 0 and 'ensemble flips' in capsys.readouterr().out
    code = restore_cli.main([*tiny, str(inputs / 'rgb8.png'), '-o', str(tmp_path / 'none'),
                             '--ensemble', '--no-ensemble', '--no-progress'])
    assert code == 0 and 'ensemble off' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        restore_cli.parse_args([*tiny, 'x.png', '-o', 'out', '--ensemble', 'x4'])


def test_restore_sets_the_thread_count_and_refuses_zero(tiny, tmp_path, capsys, monkeypatch):
    import torch
    monkeypatch.setattr(torch, 'set_num_threads', lambda n: calls.append(n))
    calls, inputs = [], make_input_folder(tmp_path / 'in')
    code = restore_cli.main([*tiny, str(inputs / 'rgb8.png'), '-o', str(tmp_path / 'out'),
                             '--threads', '1', '--no-progress'])
    assert code == 0 and calls == [1]
    with pytest.raises(SystemExit):
        restore_cli.main([*tiny, str(inputs), '-o', str(tmp_path / 'o2'), '--threads', '0'])
    assert '--threads must be at least 1, got 0' in capsys.readouterr().err


def test_tools_restore_script_runs_the_same_command(tiny, tmp_path, monkeypatch, capsys):
    inputs = make_input_folder(tmp_path / 'in')
    out = tmp_path / 'out'
    monkeypatch.setattr(sys, 'argv', ['restore.py', *tiny, str(inputs / 'gray.png'),
                                      '--out-dir', str(out), '--device', 'cpu'])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(ROOT / 'tools/restore.py'), run_name='__main__')
    assert exit_info.value.code == 0
    assert 'restored 1 of 1 images' in capsys.readouterr().out
    assert cv2.imread(str(out / 'gray.png'), cv2.IMREAD_UNCHANGED).shape == (40, 56)


def test_console_script_points_at_the_restore_main():
    setup = (ROOT / 'setup.py').read_text()
    entry = re.search(r"'lfdn-restore = ([\w.]+):(\w+)'", setup)
    assert entry, 'setup.py declares no lfdn-restore console script'
    module, function = entry.groups()
    assert module == restore_cli.__name__ and getattr(restore_cli, function) is restore_cli.main


def test_an_interrupted_batch_is_finished_by_skip_existing(tiny, tmp_path, capsys, monkeypatch):
    from lfdn_mm.apis import batch_restore
    inputs = tmp_path / 'in'
    inputs.mkdir()
    for index in range(5):
        cv2.imwrite(str(inputs / f'{index}.png'), (gradient() + index * 9).astype(np.uint8))
    out = tmp_path / 'out'
    restore_image = batch_restore.restore_image
    calls = []

    def killed_at_the_third(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return restore_image(*args, **kwargs)

    monkeypatch.setattr(batch_restore, 'restore_image', killed_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        restore_cli.main([*tiny, str(inputs), '-o', str(out), '--no-progress'])
    assert sorted(p.name for p in out.iterdir()) == ['0.png', '1.png']  # finished files only
    first = (out / '0.png').stat().st_mtime_ns
    (out / '1.png').write_bytes((out / '1.png').read_bytes()[:60])  # a damaged output
    monkeypatch.setattr(batch_restore, 'restore_image', restore_image)
    capsys.readouterr()
    code = restore_cli.main([*tiny, str(inputs), '-o', str(out), '--no-progress',
                             '--skip-existing'])
    printed = capsys.readouterr().out
    assert code == 0
    assert 'restored 4 of 4 images' in printed and 'skipped 1 already restored' in printed
    assert (out / '0.png').stat().st_mtime_ns == first
    assert sorted(p.name for p in out.iterdir()) == [f'{i}.png' for i in range(5)]
    for index in range(5):
        assert cv2.imread(str(out / f'{index}.png')).shape == (40, 56, 3)


def test_images_over_the_memory_budget_are_tiled_exactly(tiny, tmp_path, capsys, monkeypatch):
    from lfdn_mm.apis import inference
    inputs = tmp_path / 'in'
    inputs.mkdir()
    cv2.imwrite(str(inputs / 'big.png'), gradient(150, 170).astype(np.uint8))
    tiles = []
    restore_tensor = inference.restore_tensor

    def recording(generator, inputs, **options):
        tiles.append(options['tile_size'])
        return restore_tensor(generator, inputs, **options)

    monkeypatch.setattr(inference, 'restore_tensor', recording)
    assert restore_cli.main([*tiny, str(inputs), '-o', str(tmp_path / 'whole'), '--no-progress',
                             '--tile', '0']) == 0
    assert restore_cli.main([*tiny, str(inputs), '-o', str(tmp_path / 'tiled'), '--no-progress',
                             '--max-memory', '0.00001']) == 0  # 10 kB: far below 150x170
    first_line = capsys.readouterr().out.splitlines()[2]
    assert 'exact tiles above to stay within 0.0 GB' in first_line
    assert tiles == [None, 64]
    whole = cv2.imread(str(tmp_path / 'whole' / 'big.png'))
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / 'tiled' / 'big.png')), whole)


def test_the_budget_picks_the_tile_side():
    from lfdn_mm.apis.memory_budget import BYTES_PER_PIXEL, tile_for_budget
    assert tile_for_budget(720, 1280, 720 * 1280 * BYTES_PER_PIXEL) is None  # fits
    assert tile_for_budget(2160, 3840, 4e9) == 512
    assert tile_for_budget(2160, 3840, 400 * 400 * BYTES_PER_PIXEL) == 384
    assert tile_for_budget(2160, 3840, 1) == 64
    assert tile_for_budget(2160, 3840, None) is None


def test_max_memory_must_be_positive(tiny, tmp_path, capsys):
    with pytest.raises(SystemExit):
        restore_cli.main([*tiny, str(tmp_path), '-o', str(tmp_path / 'o'), '--max-memory', '0'])
    assert '--max-memory must be a positive number of GB, got 0.0' in capsys.readouterr().err
