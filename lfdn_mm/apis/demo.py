"""The main job on built-in data: make the demo set, train, test, compare with the input."""
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from mmagic.evaluation.metrics import psnr, ssim

from ..datasets import make_demo_set
from ..utils import write_image

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIGS = {
    'derain': ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py',
    'deblur': ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-deblur.py',
}
#: deraining is scored on the Y channel, deblurring on RGB (as the demo configs do)
CONVERT_TO = {'derain': 'Y', 'deblur': None}


def run_tool(script, *args):
    """Run ``tools/<script>`` in a subprocess exactly as a user would; stop if it fails."""
    command = [sys.executable, str(ROOT / 'tools' / script), *map(str, args)]
    print('$', ' '.join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def read_rgb(path):
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f'cannot read image {path}')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def score(pairs, convert_to):
    """Mean PSNR and SSIM (MMagic's metric functions) over (image, reference) pairs."""
    pairs = list(pairs)
    psnrs = [psnr(a, b, convert_to=convert_to) for a, b in pairs]
    ssims = [ssim(a, b, convert_to=convert_to) for a, b in pairs]
    return float(np.mean(psnrs)), float(np.mean(ssims))


def side_by_side(rows, path):
    """Stack ``input | restored | target`` rows into one PNG."""
    panel = np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)
    write_image(path, panel)


def run_demo(task='derain', work_dir=None, max_iters=None, data_root=None, extra_options=()):
    """Make (or reuse) the demo set, train through tools/train.py, test through tools/test.py.

    Returns:
        dict: ``input`` and ``restored`` PSNR/SSIM on the demo val split.
    """
    data_root = Path(data_root or ROOT / 'data' / f'demo_{task}')
    work_dir = Path(work_dir or ROOT / 'work_dirs' / f'demo_{task}')
    if not (data_root / 'val' / 'input').is_dir():
        counts = make_demo_set(data_root, task, overwrite=True)
        print(f'made the demo set in {data_root}: {counts}')
    options = [f'train_dataloader.dataset.data_root={data_root}/train',
               f'val_dataloader.dataset.data_root={data_root}/val',
               f'test_dataloader.dataset.data_root={data_root}/val', *extra_options]
    if max_iters:
        options += [f'train_cfg.max_iters={max_iters}', f'train_cfg.val_interval={max_iters}',
                    f'param_scheduler.T_max={max_iters}']
    config = DEMO_CONFIGS[task]
    run_tool('train.py', config, '--work-dir', work_dir, '--cfg-options', *options)
    checkpoint = (work_dir / 'last_checkpoint').read_text().strip()
    restored_dir = work_dir / 'restored'
    run_tool('test.py', config, checkpoint, '--work-dir', work_dir, '--out',
             work_dir / 'metrics.json', '--save-dir', restored_dir, '--cfg-options', *options)

    names = sorted(p.name for p in (data_root / 'val' / 'input').glob('*.png'))
    inputs = [read_rgb(data_root / 'val' / 'input' / n) for n in names]
    targets = [read_rgb(data_root / 'val' / 'target' / n) for n in names]
    restored = [read_rgb(restored_dir / 'Demo' / n) for n in names]
    summary = {
        'input': dict(zip(('PSNR', 'SSIM'), score(zip(inputs, targets), CONVERT_TO[task]))),
        'restored': dict(zip(('PSNR', 'SSIM'), score(zip(restored, targets), CONVERT_TO[task]))),
    }
    side_by_side(list(zip(inputs, restored, targets)), work_dir / 'side_by_side.png')
    (work_dir / 'demo_summary.json').write_text(json.dumps(summary, indent=2))
    return summary


def print_summary(summary, work_dir):
    print('\n            PSNR (dB)   SSIM')
    for row in ('input', 'restored'):
        print(f"{row:>10}  {summary[row]['PSNR']:9.2f}  {summary[row]['SSIM']:.4f}")
    print(f'\nrestored images: {work_dir}/restored/Demo, '
          f'input | restored | target: {work_dir}/side_by_side.png')
