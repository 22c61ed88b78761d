import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config

pytestmark = pytest.mark.slow


def copy_set(tiny_demo, tmp_path):
    root = tmp_path / 'demo'
    shutil.copytree(tiny_demo, root)
    return root


def train(config):
    return subprocess.run([sys.executable, str(ROOT / 'tools' / 'train.py'), str(config)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize('damage, message', [
    (lambda root: next((root / 'train' / 'target').iterdir()).unlink(),
     'have no file of the same name'),
    (lambda root: next((root / 'val' / 'input').iterdir()).write_bytes(b'\x89PNG\r\n garbage'),
     'cannot be read as images'),
])
def test_training_on_bad_pairs_stops_naming_the_file(tmp_path, tiny_demo, damage, message):
    root = copy_set(tiny_demo, tmp_path)
    damage(root)
    result = train(write_tiny_config(tmp_path / 'c.py', root, extra=f"work_dir = '{tmp_path}/w'\n"))
    assert result.returncode != 0
    assert 'error: bad dataset' in result.stderr and message in result.stderr
    assert '.png' in result.stderr.split(message)[1].splitlines()[1]
    assert 'Traceback' not in result.stderr
    assert not (tmp_path / 'w').exists() or not list((tmp_path / 'w').glob('*.pth'))
