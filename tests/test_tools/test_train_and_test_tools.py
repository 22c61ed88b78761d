import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmagic.evaluation.metrics import psnr, ssim

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config
from helpers.tool_modules import load_tool
from lfdn_mm.cli import build_runner, enable_auto_scale_lr, load_config

pytestmark = pytest.mark.slow


def run_tool(script, *args):
    return subprocess.run([sys.executable, str(ROOT / 'tools' / script), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)



def test_resume_continues_iterations_optimizer_and_scheduler(tmp_path, tiny_demo):
    work_dir = tmp_path / 'work'
    first = write_tiny_config(tmp_path / 'first.py', tiny_demo, max_iters=2)
    assert run_tool('train.py', first, '--work-dir', work_dir).returncode == 0
    longer = write_tiny_config(tmp_path / 'longer.py', tiny_demo, max_iters=4)
    result = run_tool('train.py', longer, '--work-dir', work_dir, '--resume')
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'resumed epoch: 0, iter: 2' in result.stdout + result.stderr
    state = torch.load(work_dir / 'iter_4.pth', weights_only=True)
    assert state['meta']['iter'] == 4
    adam_steps = {float(s['step']) for s in state['optimizer']['state'].values()}
    assert adam_steps == {4.0}  # the optimizer state carried over: 2 + 2 steps
    assert state['param_schedulers'][0]['_global_step'] == 4  # the scheduler counted on


def test_resume_from_an_explicit_missing_checkpoint_is_refused(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo)
    result = run_tool('train.py', config, '--resume', tmp_path / 'nope.pth')
    assert result.returncode != 0
    assert 'nope.pth does not exist' in result.stderr


def test_auto_scale_lr_scales_by_the_total_batch_size(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1)
    cfg = load_config(str(config), work_dir=str(tmp_path / 'work'))
    enable_auto_scale_lr(cfg)
    runner = build_runner(cfg)
    runner.train()
    # base lr 5e-4 was set for batch 8; this run uses 1 process x batch 2
    initial = runner.optim_wrapper.param_groups[0]['initial_lr']
    assert initial == pytest.approx(5e-4 * 2 / 8)


def test_auto_scale_lr_needs_a_base_batch_size(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, extra='auto_scale_lr = None\n')
    result = run_tool('train.py', config, '--auto-scale-lr')
    assert result.returncode != 0
    assert 'base_batch_size' in result.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU message')
def test_fp16_amp_on_cpu_says_it_needs_a_gpu(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo)
    result = run_tool('train.py', config, '--amp')
    assert result.returncode != 0
    assert '--amp on the CPU needs --amp-dtype bfloat16' in result.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU wrapper')
@pytest.mark.parametrize('native', [True, False])
def test_bf16_amp_on_cpu_follows_the_hardware(monkeypatch, native):
    from mmengine.config import Config

    from lfdn_mm.cli import launch
    monkeypatch.setattr(launch, 'cpu_has_native_bf16', lambda: native)
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='Adam'))))
    if native:
        launch.enable_amp(cfg, 'bfloat16')
        assert cfg.optim_wrapper.type == 'CPUBF16OptimWrapper'
    else:
        with pytest.raises(SystemExit, match='needs a CPU with native bf16'):
            launch.enable_amp(cfg, 'bfloat16')
        assert cfg.optim_wrapper.type == 'OptimWrapper'


def test_train_tool_parses_the_mmagic_flags():
    args = load_tool('train').parse_args(
        ['c.py', '--resume', '--amp', '--auto-scale-lr', '--launcher', 'slurm',
         '--cfg-options', 'train_cfg.max_iters=3', '--work-dir', 'w'])
    assert (args.resume, args.amp, args.auto_scale_lr, args.launcher) == (
        'auto', True, True, 'slurm')
    assert args.cfg_options == {'train_cfg.max_iters': 3}
    assert load_tool('train').parse_args(['c.py', '--resume', 'x.pth']).resume == 'x.pth'
    assert load_tool('train').parse_args(['c.py']).resume is None


def test_test_tool_writes_metrics_and_images_that_mmagic_metrics_reproduce(tmp_path, tiny_demo):
    work_dir = tmp_path / 'work'
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1)
    assert run_tool('train.py', config, '--work-dir', work_dir).returncode == 0
    out, save_dir = tmp_path / 'metrics.json', tmp_path / 'restored'
    absent = tmp_path / 'no_training_data'  # testing needs only the test set
    result = run_tool('test.py', config, work_dir / 'iter_1.pth', '--work-dir', work_dir,
                      '--out', out, '--save-dir', save_dir,
                      '--cfg-options', f'train_dataloader.dataset.data_root={absent}')
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads(out.read_text())
    assert set(metrics) == {'Demo/PSNR', 'Demo/SSIM'}

    names = sorted(p.name for p in (tiny_demo / 'val' / 'input').iterdir())
    restored = [cv2.imread(str(save_dir / 'Demo' / n))[..., ::-1] for n in names]
    targets = [cv2.imread(str(tiny_demo / 'val' / 'target' / n))[..., ::-1] for n in names]
    # the saved images are the 8-bit rounding of what the metrics saw
    assert np.mean([psnr(r, t, convert_to='Y') for r, t in zip(restored, targets)]) == \
        pytest.approx(metrics['Demo/PSNR'], abs=0.05)
    assert np.mean([ssim(r, t, convert_to='Y') for r, t in zip(restored, targets)]) == \
        pytest.approx(metrics['Demo/SSIM'], abs=1e-3)


def test_test_tool_refuses_a_missing_checkpoint(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo)
    result = run_tool('test.py', config, tmp_path / 'missing.pth')
    assert result.returncode != 0
    assert 'missing.pth does not exist' in result.stderr


def test_missing_config_is_reported(tmp_path):
    result = run_tool('train.py', tmp_path / 'absent.py')
    assert result.returncode != 0
    assert 'absent.py does not exist' in result.stderr


TENSORBOARD = """visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                 dict(type='TensorboardVisBackend')])
"""


def test_tensorboard_logging_is_one_config_line_away(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1, extra=TENSORBOARD)
    cfg = load_config(str(config), work_dir=str(tmp_path / 'work'))
    build_runner(cfg).train()
    assert list((tmp_path / 'work').rglob('events.out.tfevents.*'))
