"""tools/gpu_check.py in its dry mode: the GPU check's steps, tiny, on the CPU."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_dry_run_runs_every_step_and_writes_one_report(tmp_path):
    out = tmp_path / 'check'
    result = subprocess.run([sys.executable, str(ROOT / 'tools/gpu_check.py'), '--dry-run',
                             '--out-dir', str(out)], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / 'report.json').read_text())
    assert report['dry_run'] is True and report['device'] == 'cpu'
    steps = {step['name']: step for step in report['steps']}
    assert list(steps) == ['photos', 'train-bf16', 'train-fp16', 'resume', 'test', 'pairs',
                           'restore', 'benchmark-720p']
    assert all(step['status'] == 'ok' for step in steps.values())
    assert 'resumed epoch: 0, iter: 2' in steps['resume']['output_tail']
    assert json.loads((out / 'test' / 'metrics.json').read_text())['SynthRain/PSNR'] > 0
    assert len(list((out / 'restored').glob('*.png'))) == 4
    assert report['benchmarks']['bench_720p']


def test_steps_past_the_deadline_are_recorded_as_skipped(tmp_path):
    out = tmp_path / 'check'
    result = subprocess.run([sys.executable, str(ROOT / 'tools/gpu_check.py'), '--dry-run',
                             '--deadline', '0', '--out-dir', str(out)], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    report = json.loads((out / 'report.json').read_text())
    assert {step['status'] for step in report['steps']} == {'skipped (deadline)'}
    assert 'not ok: photos, train-bf16' in result.stdout
