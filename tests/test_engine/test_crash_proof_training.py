import json
import os
import signal
import subprocess
import sys

import pytest
import torch

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config
from lfdn_mm.engine import AtomicLocalBackend
from lfdn_mm.utils import CheckpointError, check_checkpoint

pytestmark = pytest.mark.slow

FAULTS = ("custom_imports = dict(imports=['lfdn_mm', 'helpers.faults'], "
          "allow_failed_imports=False)\n")


def train(config, work_dir, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'train.py'), str(config), '--work-dir',
         str(work_dir), *args], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, 'PYTHONPATH': str(ROOT / 'tests')})


def losses_by_iteration(work_dir):
    """Training loss of every logged iteration, from MMEngine's ``vis_data/scalars.json``."""
    losses = {}
    for scalars in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in scalars.read_text().splitlines():
            record = json.loads(line)
            if 'loss' in record:
                losses[record['step']] = record['loss']
    return losses


def test_run_killed_after_a_checkpoint_resumes_with_the_same_losses(tmp_path, tiny_demo):
    uninterrupted, interrupted = tmp_path / 'straight', tmp_path / 'killed'
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=4)
    assert train(config, uninterrupted).returncode == 0

    kill = FAULTS + "custom_hooks = [dict(type='KillAfterIterationHook', at=2)]\n"
    killed = train(write_tiny_config(tmp_path / 'k.py', tiny_demo, max_iters=4, extra=kill),
                   interrupted)
    assert killed.returncode == -signal.SIGKILL
    assert (interrupted / 'iter_2.pth').exists() and not (interrupted / 'iter_3.pth').exists()
    resumed = train(config, interrupted, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-2000:]

    expected, got = losses_by_iteration(uninterrupted), losses_by_iteration(interrupted)
    assert set(expected) == {1, 2, 3, 4}
    for step in (3, 4):
        assert got[step] == pytest.approx(expected[step], rel=1e-6, abs=1e-9)


def test_atomic_backend_keeps_the_old_file_when_a_write_fails(tmp_path, monkeypatch):
    target = tmp_path / 'iter_2.pth'
    target.write_bytes(b'good checkpoint')

    def crash(fd):
        raise OSError('disk vanished')

    monkeypatch.setattr(os, 'fsync', crash)
    with pytest.raises(OSError, match='disk vanished'):
        AtomicLocalBackend().put(b'half a checkp', target)
    assert target.read_bytes() == b'good checkpoint'
    assert [p.name for p in tmp_path.iterdir()] == ['iter_2.pth']


def test_checkpoints_are_saved_through_the_atomic_backend(tmp_path, tiny_demo, monkeypatch):
    from lfdn_mm.cli import build_runner, load_config
    written = []
    original = AtomicLocalBackend.put
    monkeypatch.setattr(AtomicLocalBackend, 'put',
                        lambda self, obj, path: written.append(str(path))
                        or original(self, obj, path))
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1)
    build_runner(load_config(str(config), work_dir=str(tmp_path / 'work'))).train()
    assert str(tmp_path / 'work' / 'iter_1.pth') in written


def test_truncated_checkpoint_is_named_with_the_previous_one(tmp_path, tiny_demo):
    work_dir = tmp_path / 'work'
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=2)
    assert train(config, work_dir).returncode == 0
    latest = work_dir / 'iter_2.pth'
    latest.write_bytes(latest.read_bytes()[:5000])
    result = train(config, work_dir, '--resume')
    assert result.returncode != 0
    assert f'checkpoint {latest} is truncated or corrupt' in result.stderr
    assert f'the previous checkpoint is {work_dir / "iter_1.pth"}' in result.stderr
    assert 'Traceback' not in result.stderr
    with pytest.raises(CheckpointError, match='no earlier checkpoint'):
        (tmp_path / 'iter_1.pth').write_bytes(b'not a zip')
        check_checkpoint(tmp_path / 'iter_1.pth')


def test_non_finite_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, tiny_demo):
    extra = FAULTS + ("model = dict(pixel_loss=dict(_delete_=True, type='NaNAfterLoss', "
                      "good_calls=2))\n")
    work_dir = tmp_path / 'work'
    result = train(write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=4, extra=extra),
                   work_dir)
    assert result.returncode != 0
    assert 'training loss is nan at iteration 3; training stopped' in result.stderr
    assert not (work_dir / 'iter_3.pth').exists()
    assert (work_dir / 'last_checkpoint').read_text().strip().endswith('iter_2.pth')
    state = torch.load(work_dir / 'iter_2.pth', weights_only=True)
    assert all(torch.isfinite(t).all() for t in state['state_dict'].values())
