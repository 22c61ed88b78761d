import os
import socket
import subprocess

import pytest

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config

pytestmark = pytest.mark.slow

PROBE = """custom_imports = dict(imports=['lfdn_mm', 'helpers.rank_probe'],
                      allow_failed_imports=False)
custom_hooks = [dict(type='RankWeightsProbeHook')]
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def launcher_env(**extra):
    return {**os.environ, 'PYTHONPATH': str(ROOT / 'tests'), 'CUDA_VISIBLE_DEVICES': '', **extra}


def test_two_process_cpu_run_through_dist_train(tmp_path, tiny_demo):
    work_dir = tmp_path / 'work'
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=2, extra=PROBE)
    result = subprocess.run(
        ['bash', str(ROOT / 'tools' / 'dist_train.sh'), str(config), '2',
         '--work-dir', str(work_dir), '--cfg-options', 'default_hooks.checkpoint.interval=2'],
        capture_output=True, text=True, cwd=ROOT, env=launcher_env(PORT=free_port()),
        timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    digests = [(work_dir / f'rank{r}_weights.sha256').read_text() for r in (0, 1)]
    assert digests[0] == digests[1], 'the two ranks ended with different weights'
    assert sorted(p.name for p in work_dir.glob('*.pth')) == [
        'best_Demo_PSNR_iter_2.pth', 'iter_2.pth']
    log = result.stdout + result.stderr
    assert log.count('Iter(train) [2/2]') == 1, 'training logs should come from rank 0 only'
    assert 'Distributed launcher: pytorch' in log or 'launcher: pytorch' in log

    save_dir = tmp_path / 'restored'
    result = subprocess.run(
        ['bash', str(ROOT / 'tools' / 'dist_test.sh'), str(config), str(work_dir / 'iter_2.pth'),
         '2', '--save-dir', str(save_dir)],
        capture_output=True, text=True, cwd=ROOT, env=launcher_env(PORT=free_port()),
        timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    saved = sorted(p.name for p in save_dir.rglob('*.png'))
    assert saved == sorted(p.name for p in (tiny_demo / 'val' / 'input').iterdir())


@pytest.mark.parametrize('gpus_per_node,gres', [('1', True), ('0', False)])
def test_slurm_launcher_on_cpu_with_a_stand_in_srun(tmp_path, tiny_demo, gpus_per_node, gres):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(
        '#!/bin/sh\necho "srun $*" > "$SRUN_LOG"\n'
        'while [ ! -x "$1" ]; do shift; done\n'  # drop srun's own options up to the program
        'SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=node-a exec "$@"\n')
    (bin_dir / 'scontrol').write_text('#!/bin/sh\necho 127.0.0.1\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    work_dir = tmp_path / 'work'
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1)
    env = launcher_env(PATH=f'{bin_dir}:{os.environ["PATH"]}', SRUN_LOG=str(tmp_path / 'srun'),
                       GPUS='1', GPUS_PER_NODE=gpus_per_node, TASKS_PER_NODE='1',
                       MASTER_PORT=free_port())
    result = subprocess.run(
        ['bash', str(ROOT / 'tools' / 'slurm_train.sh'), 'gpu-part', 'lfdn-job', str(config),
         '--work-dir', str(work_dir)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    srun_line = (tmp_path / 'srun').read_text()
    for flag in ('-p gpu-part', '--job-name=lfdn-job', '--ntasks=1', '--ntasks-per-node=1',
                 '--launcher slurm'):
        assert flag in srun_line
    assert ('--gres=gpu:1' in srun_line) is gres and ('--gres' in srun_line) is gres
    assert (work_dir / 'iter_1.pth').exists()


@pytest.mark.parametrize('script', ['dist_train.sh', 'dist_test.sh', 'slurm_train.sh',
                                    'slurm_test.sh'])
def test_launcher_scripts_are_valid_bash(script):
    assert subprocess.run(['bash', '-n', str(ROOT / 'tools' / script)]).returncode == 0


def test_runs_release_their_process_group(monkeypatch):
    import torch.distributed as dist

    from lfdn_mm.cli import release_process_group
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    dist.init_process_group('gloo', rank=0, world_size=1)
    release_process_group()
    assert not dist.is_initialized()
    release_process_group()  # nothing to release: no error
