import json
import subprocess
import sys

import cv2

from conftest import ROOT
from lfdn_mm.apis.demo import run_demo
from lfdn_mm.datasets import make_demo_set


def test_make_demo_data_tool_writes_the_set(tmp_path):
    out = tmp_path / 'demo'
    result = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'make_demo_data.py'), '--out', str(out),
         '--num-train', '3', '--num-val', '2', '--crop-size', '32', '--task', 'deblur'],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '3 train, 2 val' in result.stdout
    assert len(list((out / 'val' / 'target').glob('*.png'))) == 2


def test_demo_trains_tests_and_writes_its_outputs(tmp_path):
    data_root = tmp_path / 'data'
    make_demo_set(data_root, num_train=4, num_val=2, crop_size=48)
    work_dir = tmp_path / 'work'
    summary = run_demo('derain', work_dir, max_iters=2, data_root=data_root,
                       extra_options=['train_dataloader.batch_size=2',
                                      'train_dataloader.dataset.pipeline.3.gt_patch_size=32'])
    assert set(summary) == {'input', 'restored'}
    assert all(0 < summary[k]['PSNR'] < 100 and 0 < summary[k]['SSIM'] <= 1 for k in summary)
    metrics = json.loads((work_dir / 'metrics.json').read_text())
    assert set(metrics) == {'Demo/PSNR', 'Demo/SSIM'}
    restored = sorted((work_dir / 'restored' / 'Demo').glob('*.png'))
    assert [p.name for p in restored] == sorted(p.name for p in (data_root / 'val' / 'input').iterdir())
    panel = cv2.imread(str(work_dir / 'side_by_side.png'))
    assert panel.shape == (2 * 48, 3 * 48, 3)
    assert (work_dir / 'iter_2.pth').exists()
