"""Exercise every GPU path in one short run and write one JSON report.

    python tools/gpu_check.py [--out-dir work_dirs/gpu_check] [--deadline 480]
    python tools/gpu_check.py --dry-run      # the same steps, tiny, on the CPU

Steps, each a subprocess run as a user would, timed, with its status and the tail of its output:

1. ``train-bf16`` / ``train-fp16``: a few hundred iterations of the derain demo config through
   ``tools/dist_train.sh`` (torchrun, one process) under ``--amp``;
2. ``resume``: the bf16 run continued by ``--resume`` for 100 more iterations;
3. ``test``: ``tools/test.py`` on its last checkpoint;
4. ``restore``: ``lfdn-restore --model derain --device cuda`` over the demo's held-out pairs;
5. ``benchmark-720p`` / ``benchmark-4k``: ``tools/analysis_tools/benchmark.py`` with LFDN, NAFNet
   and Restormer in fp32, fp16 and bf16, both memory formats, eager, and LFDN with
   ``torch.compile``.

Steps that would start past ``--deadline`` seconds are recorded as skipped, so the whole check
fits a short GPU loan. ``--dry-run`` runs the same steps on the CPU with 2 iterations, no AMP,
64x64 benchmarks of LFDN alone: what the test suite checks.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def run_step(name, command, timeout, report, deadline):
    """Run ``command``; record status, seconds and the output's tail under ``name``."""
    left = deadline - time.monotonic()
    if left <= 0:
        report['steps'].append(dict(name=name, status='skipped (deadline)', command=command))
        return False
    start = time.monotonic()
    env = {**os.environ, 'PORT': free_port()}
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=min(timeout, left))
        status = 'ok' if done.returncode == 0 else f'failed (exit {done.returncode})'
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        status, output = 'timeout', (expired.stdout or b'').decode(errors='replace')
    report['steps'].append(dict(name=name, status=status, command=command,
                                seconds=round(time.monotonic() - start, 1),
                                output_tail=output[-3000:]))
    print(f'{name}: {status} ({time.monotonic() - start:.0f} s)', flush=True)
    return status == 'ok'


def plan(args, work):
    """The steps as ``(name, command, timeout)``: GPU sizes, or tiny CPU ones with --dry-run."""
    python = sys.executable
    dry = args.dry_run
    iterations = 2 if dry else args.iterations
    data = work / 'photos'
    common = [f'{loader}.dataset.data_root={data}'
              for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    common += [f'train_cfg.val_interval={iterations}', f'param_scheduler.T_max={iterations + 100}',
               f'default_hooks.checkpoint.interval={iterations}']
    if dry:
        common += ['train_dataloader.batch_size=2', 'model.generator.num_blocks=1',
                   'train_dataloader.dataset.pipeline.2.crop_size=(32,32)']
    train = ['bash', str(ROOT / 'tools/dist_train.sh'), str(DEMO_CONFIG), '1']
    amp = {'bf16': [] if dry else ['--amp', '--amp-dtype', 'bfloat16'],
           'fp16': [] if dry else ['--amp', '--amp-dtype', 'float16']}
    steps = [('photos', [python, str(ROOT / 'tools/make_demo_data.py'), '--photos', '--out',
                         str(data), '--overwrite'], 120)]
    for dtype in ('bf16', 'fp16'):
        steps.append((f'train-{dtype}', train + ['--work-dir', str(work / dtype), *amp[dtype],
                                                 '--cfg-options', *common,
                                                 f'train_cfg.max_iters={iterations}'], 240))
    resumed = iterations + (1 if dry else 100)
    steps.append(('resume', train + ['--work-dir', str(work / 'bf16'), '--resume', *amp['bf16'],
                                     '--cfg-options', *common,
                                     f'train_cfg.max_iters={resumed}'], 180))
    steps.append(('test', [python, str(ROOT / 'tools/test.py'), str(DEMO_CONFIG),
                           str(work / 'bf16' / f'iter_{resumed}.pth'), '--work-dir',
                           str(work / 'test'), '--out', str(work / 'test' / 'metrics.json'),
                           '--cfg-options', *common], 120))
    steps.append(('pairs', [python, str(ROOT / 'tools/make_demo_data.py'), '--out',
                            str(work / 'pairs'), '--num-train', '1', '--num-val', '4',
                            '--overwrite'], 60))
    steps.append(('restore', [python, str(ROOT / 'tools/restore.py'), '--model', 'derain',
                              str(work / 'pairs' / 'val' / 'input'), '-o',
                              str(work / 'restored'), '--device', 'cpu' if dry else 'cuda',
                              '--no-progress'], 120))
    bench = [python, str(ROOT / 'tools/analysis_tools/benchmark.py'), '--device',
             'cpu' if dry else 'cuda', '--out-dir', str(work / 'benchmarks')]
    if dry:
        steps.append(('benchmark-720p', bench + ['--models', 'lfdn', '--sizes', '64x64',
                                                 '--repeats', '1', '--warmup', '1',
                                                 '--no-memory', '--name', 'bench_720p'], 120))
        return steps
    for label, size, budget in (('720p', '1280x720', 20), ('4k', '3840x2160', 30)):
        steps.append((f'benchmark-{label}', bench + [
            '--models', 'lfdn', 'nafnet-w64', 'restormer', '--sizes', size, '--dtypes', 'fp32',
            'fp16', 'bf16', '--channels-last', 'both', '--repeats', '10', '--time-budget',
            str(budget), '--name', f'bench_{label}'], 240))
        steps.append((f'benchmark-{label}-compile', bench + [
            '--models', 'lfdn', '--sizes', size, '--dtypes', 'fp32', 'bf16', '--compile',
            '--repeats', '10', '--time-budget', str(budget), '--name',
            f'bench_{label}_compile'], 180))
    return steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default=str(ROOT / 'work_dirs/gpu_check'))
    parser.add_argument('--deadline', type=float, default=480,
                        help='seconds after which no step starts (default 480: 8 minutes)')
    parser.add_argument('--iterations', type=int, default=300,
                        help='training iterations per AMP dtype')
    parser.add_argument('--dry-run', action='store_true',
                        help='the same steps on the CPU, tiny: checks the script itself')
    args = parser.parse_args(argv)
    work = Path(args.out_dir)
    work.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.deadline
    report = dict(dry_run=args.dry_run, started=time.strftime('%Y-%m-%d %H:%M:%S'),
                  device=device_description(), steps=[])
    for name, command, timeout in plan(args, work):
        run_step(name, command, timeout, report, deadline)
    for path in sorted((work / 'benchmarks').glob('*.json')):
        report.setdefault('benchmarks', {})[path.stem] = json.loads(path.read_text())
    (work / 'report.json').write_text(json.dumps(report, indent=2) + '\n')
    failed = [s['name'] for s in report['steps'] if s['status'] != 'ok']
    print(f'report: {work / "report.json"}; ' + (f'not ok: {", ".join(failed)}' if failed
                                                 else 'every step ok'))
    return 1 if failed else 0


def device_description():
    import torch
    if not torch.cuda.is_available():
        return 'cpu'
    return f'{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda}, torch {torch.__version__})'


if __name__ == '__main__':
    sys.exit(main())
