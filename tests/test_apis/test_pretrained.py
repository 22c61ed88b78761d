import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from conftest import ROOT
from lfdn_mm import pretrained
from lfdn_mm.apis.inference import init_restorer
from lfdn_mm.cli.restore import main as restore_main
from lfdn_mm.utils import CheckpointError

pytestmark = pytest.mark.slow

SHIPPED = ('derain', 'deblur')


@pytest.mark.parametrize('name', SHIPPED)
def test_shipped_checkpoint_matches_its_recorded_checksum_and_size(name):
    path = pretrained.pretrained_checkpoint(name)
    assert path.parent == pretrained.CHECKPOINT_DIR
    assert path.stat().st_size <= 7 * 2**20
    model = init_restorer(model=name, device='cpu')
    assert model.generator.global_residual
    assert not model.training


def test_tampered_checkpoint_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    entry = pretrained.PRETRAINED['derain']
    copy = tmp_path / entry['file']
    shutil.copy(pretrained.CHECKPOINT_DIR / entry['file'], copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    monkeypatch.setattr(pretrained, 'CHECKPOINT_DIR', tmp_path)
    with pytest.raises(CheckpointError, match='damaged or was replaced: its SHA-256 is'):
        init_restorer(model='derain', device='cpu')
    copy.unlink()
    with pytest.raises(CheckpointError, match='is missing; reinstall'):
        init_restorer(model='derain', device='cpu')


def test_model_and_config_are_exclusive_and_names_are_checked():
    with pytest.raises(ValueError, match='either model or config'):
        init_restorer('some_config.py', model='derain')
    with pytest.raises(ValueError, match="no shipped model 'dehaze'"):
        init_restorer(model='dehaze')
    with pytest.raises(ValueError, match='give a config'):
        init_restorer()


def test_list_models_prints_the_numbers(capsys):
    assert restore_main(['--list-models']) == 0
    out = capsys.readouterr().out
    for name in SHIPPED:
        meta = pretrained.metafile_entry(name)
        assert f'{name}: ' in out and f'recipe: {meta["Config"]}' in out
        assert meta['Metadata']['Training'] in out
        for result in meta['Results']:
            restored = [pretrained.score_text(k, v) for k, v in result['Metrics'].items()
                        if 'restored' in k]
            assert f'{result["Dataset"]}: ' in out and restored
            assert all(f' {value}' in out for value in restored)
    assert 'Rain100L' in out and 'iterations' in out


@pytest.mark.parametrize('name', SHIPPED)
def test_metafile_records_the_shipped_file_and_its_checksum(name):
    entry, meta = pretrained.PRETRAINED[name], pretrained.metafile_entry(name)
    assert meta['Weights'].startswith(f'lfdn_mm/checkpoints/{entry["file"]} ')
    assert meta['SHA256'] == entry['sha256'] == pretrained.sha256(
        pretrained.CHECKPOINT_DIR / entry['file'])
    assert (ROOT / meta['Config']).is_file()


def test_restore_needs_inputs_and_an_out_dir(capsys):
    with pytest.raises(SystemExit):
        restore_main(['--model', 'derain', '-o', 'out'])
    with pytest.raises(SystemExit):
        restore_main(['--model', 'derain', 'x.png'])
    with pytest.raises(SystemExit):
        restore_main(['only_config.py', 'x.png', '-o', 'out'])


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    folder = tmp_path_factory.mktemp('wheel')
    result = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
                             '--no-build-isolation', '-q', '-w', str(folder), str(ROOT)],
                            capture_output=True, text=True, cwd=folder)
    assert result.returncode == 0, result.stderr[-2000:]
    return next(folder.glob('lfdn_mm-*.whl'))


def test_wheel_contains_the_weights(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert f"lfdn_mm/checkpoints/{pretrained.PRETRAINED[name]['file']}" in names
    # configs and tools for mim and for an installed package (lfdn_mm.utils.project_files)
    for path in ('model-index.yml', 'configs/lfdn/metafile.yml', 'tools/train.py',
                 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py',
                 'configs/_base_/lfdn_runtime.py'):
        assert f'lfdn_mm/.mim/{path}' in names, path


def test_installed_wheel_works_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / 'site'
    result = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '-q',
                             '--target', str(site), str(wheel)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    env = {**os.environ, 'PYTHONPATH': str(site)}
    probe = ('import lfdn_mm\n'
             'from mmengine.config import Config\n'
             'from lfdn_mm.utils.project_files import project_root\n'
             'root = project_root()\n'
             "cfg = Config.fromfile(root / 'configs/lfdn' /\n"
             "                      'lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py')\n"
             'print(lfdn_mm.__file__, root, cfg.model.generator.type, sep="\\n")\n')
    result = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True,
                            cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    package, root, generator = result.stdout.strip().splitlines()[-3:]
    assert package.startswith(str(site)) and root.startswith(str(site))
    assert generator == 'LFDN'
    listing = subprocess.run([sys.executable, '-m', 'lfdn_mm.cli.restore', '--list-models'],
                             capture_output=True, text=True, cwd=elsewhere, env=env)
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert 'derain' in listing.stdout and 'deblur' in listing.stdout


def test_derain_model_gains_on_real_rain100l(rain100l, tmp_path):
    """20 real Rain100L pairs restored by ``lfdn-restore --model derain`` gain on Y.

    The shipped CPU starter measured +3.54 dB on these 20 and +4.29 dB on all 100
    (configs/lfdn/README.md).
    """
    from mmagic.evaluation.metrics import psnr

    from lfdn_mm.utils import read_rgb
    names = sorted(p.name for p in (rain100l / 'input').iterdir())[:20]
    inputs = tmp_path / 'input'
    inputs.mkdir()
    for name in names:
        (inputs / name).symlink_to(rain100l / 'input' / name)
    assert restore_main(['--model', 'derain', str(inputs), '-o', str(tmp_path / 'out'),
                         '--device', 'cpu', '--no-progress']) == 0
    targets = [read_rgb(rain100l / 'target' / n) for n in names]
    before = np.mean([psnr(read_rgb(inputs / n), t, convert_to='Y')
                      for n, t in zip(names, targets)])
    after = np.mean([psnr(read_rgb(tmp_path / 'out' / n), t, convert_to='Y')
                     for n, t in zip(names, targets)])
    assert after - before >= 3.5, (before, after)
