"""The main job on built-in data: train on the fly, test, restore a paired test set, compare.

1. Write the clean scikit-image photographs (``write_demo_photos``) unless already there.
2. Train with ``tools/train.py``: rain (or blur) synthesised on the fly over those photographs.
3. Score with ``tools/test.py`` on the held-out photographs (degradations of a fixed seed).
4. Restore the same held-out inputs, and a paired test set (the Rain100L benchmark by default)
   when one is given, with ``tools/restore.py`` (= ``lfdn-restore``), and again with the
   shipped starter of the task (``--model``); print input vs restored PSNR/SSIM (MMagic's
   metric functions) for both, and a picture of input | trained here | shipped starter |
   target.
"""
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from mmagic.evaluation.metrics import psnr, ssim
from mmagic.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ..datasets import write_demo_photos
from ..utils import read_rgb, tensor_to_image, write_image
from ..utils.project_files import project_root

ROOT = project_root()
DEMO_CONFIGS = {
    'derain': ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py',
    'deblur': ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-deblur.py',
}
#: deraining is scored on the Y channel, deblurring on RGB (as the benchmarks are)
CONVERT_TO = {'derain': 'Y', 'deblur': None}
#: height of the strip that names the columns of side_by_side.png
LABEL_HEIGHT = 22
#: the real deraining test set beside a checkout (its README says where it comes from)
SHARED_RAIN100L = ROOT.parent / 'shared' / 'data' / 'rain100l'


def run_tool(script, *args):
    """Run ``tools/<script>`` in a subprocess exactly as a user would; stop if it fails."""
    command = [sys.executable, str(ROOT / 'tools' / script), *map(str, args)]
    print('$', ' '.join(command), flush=True)
    subprocess.run(command, check=True)


def score(pairs, convert_to):
    """Mean PSNR and SSIM (MMagic's metric functions) over (image, reference) pairs."""
    pairs = list(pairs)
    return {'PSNR': float(np.mean([psnr(a, b, convert_to=convert_to) for a, b in pairs])),
            'SSIM': float(np.mean([ssim(a, b, convert_to=convert_to) for a, b in pairs]))}


def write_val_pairs(config, options, out_dir):
    """Write the config's validation samples (degraded on the fly) as ``input/`` + ``target/``."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    for index in range(len(dataset)):
        sample = dataset[index]
        name = Path(sample['data_samples'].metainfo['gt_path']).stem + '.png'
        write_image(out_dir / 'input' / name, tensor_to_image(sample['inputs']))
        write_image(out_dir / 'target' / name, tensor_to_image(sample['data_samples'].gt_img))
    return out_dir


def restore_and_score(model, pair_dir, out_dir, convert_to):
    """Restore ``pair_dir/input`` with tools/restore.py and ``model`` (``(CONFIG,
    CHECKPOINT)`` or ``('--model', NAME)``); score input and restored vs target."""
    run_tool('restore.py', *model, pair_dir / 'input', '--out-dir', out_dir, '--no-progress')
    names = sorted(p.name for p in (pair_dir / 'input').iterdir() if p.is_file())
    inputs = [read_rgb(pair_dir / 'input' / n) for n in names]
    targets = [read_rgb(pair_dir / 'target' / n) for n in names]
    restored = [read_rgb(out_dir / n) for n in names]
    return ({'input': score(zip(inputs, targets), convert_to),
             'restored': score(zip(restored, targets), convert_to), 'pairs': len(names)},
            list(zip(inputs, restored, targets)))


def with_starter(task, pair_dir, out_dir, convert_to, scores, rows):
    """Restore the same pairs with the task's shipped starter: its scores go into ``scores``
    as ``'starter'``, its images into each ``(input, restored, target)`` row before the
    target."""
    starter, starter_rows = restore_and_score(('--model', task), pair_dir, out_dir, convert_to)
    scores['starter'] = starter['restored']
    return [(row[0], row[1], theirs[1], row[2]) for row, theirs in zip(rows, starter_rows)]


def side_by_side(rows, path, labels, count=3):
    """Stack rows of images (the first ``count`` of the first row's size) into one PNG under
    a strip naming the columns."""
    rows = [row for row in rows if row[0].shape == rows[0][0].shape][:count]
    panel = np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)
    width = rows[0][0].shape[1]
    strip = np.zeros((LABEL_HEIGHT, panel.shape[1], 3), np.uint8)
    for column, label in enumerate(labels):
        cv2.putText(strip, label, (column * width + 4, LABEL_HEIGHT - 6),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    write_image(path, np.concatenate([strip, panel], axis=0))


def run_demo(task='derain', work_dir=None, max_iters=None, data_root=None, real_test=None,
             extra_options=()):
    """Train on the fly, test, restore; return input vs restored scores.

    Args:
        task (str): ``'derain'`` or ``'deblur'``.
        work_dir (str | Path): Output folder (default ``work_dirs/demo_<task>`` in the current
            folder).
        max_iters (int, optional): Training iterations (default: the config's 600).
        data_root (str | Path, optional): Folder of clean photographs (default: the
            scikit-image photographs written to ``data/demo_photos`` in the current folder).
        real_test (str | Path, optional): A real ``<dir>/{input,target}`` test set to restore
            and score as well.
        extra_options (list[str]): More ``--cfg-options`` for train and test.

    Returns:
        dict: ``{'val': {...}, 'real': {...}}`` (``real`` only with a paired test set), each
        with ``input`` and ``restored`` PSNR/SSIM and the number of ``pairs``.
    """
    data_root = Path(data_root or 'data/demo_photos').resolve()
    work_dir = Path(work_dir or f'work_dirs/demo_{task}').resolve()
    if not data_root.is_dir():
        print(f'wrote {write_demo_photos(data_root)} clean photographs to {data_root}')
    options = [f'{loader}.dataset.data_root={data_root}'
               for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    if max_iters:
        options += [f'train_cfg.max_iters={max_iters}', f'train_cfg.val_interval={max_iters}',
                    f'param_scheduler.T_max={max_iters}']
    options += list(extra_options)
    config = DEMO_CONFIGS[task]
    run_tool('train.py', config, '--work-dir', work_dir, '--cfg-options', *options)
    checkpoint = (work_dir / 'last_checkpoint').read_text().strip()
    trained_config = work_dir / config.name  # as trained: the options applied
    run_tool('test.py', config, checkpoint, '--work-dir', work_dir, '--out',
             work_dir / 'metrics.json', '--cfg-options', *options)

    pair_dirs = {'val': write_val_pairs(trained_config, {}, work_dir / 'val_pairs')}
    if real_test:
        pair_dirs['real'] = Path(real_test)
    summary = {}
    for name, pair_dir in pair_dirs.items():
        summary[name], rows = restore_and_score((trained_config, checkpoint), pair_dir,
                                                work_dir / f'restored_{name}', CONVERT_TO[task])
        rows = with_starter(task, pair_dir, work_dir / f'starter_{name}', CONVERT_TO[task],
                            summary[name], rows)
    iterations = max_iters or Config.fromfile(str(trained_config)).train_cfg.max_iters
    side_by_side(rows, work_dir / 'side_by_side.png',
                 ('input', f'trained here, {iterations} it.', f'shipped --model {task}',
                  'target'))
    (work_dir / 'demo_summary.json').write_text(json.dumps(summary, indent=2))
    return summary


def print_summary(summary, work_dir):
    for name, title in (('val', 'held-out photographs, synthetic degradations'),
                        ('real', 'paired test set')):
        if name not in summary:
            continue
        print(f"\n{title} ({summary[name]['pairs']} pairs)\n            PSNR (dB)   SSIM")
        for row in ('input', 'restored', 'starter'):
            print(f"{row:>10}  {summary[name][row]['PSNR']:9.2f}  {summary[name][row]['SSIM']:.4f}")
    print(f'\nrestored images: {work_dir}/restored_val, {work_dir}/restored_real '
          f'(the shipped starter\'s: starter_val, starter_real); input | trained here | '
          f'shipped starter | target: {work_dir}/side_by_side.png')
