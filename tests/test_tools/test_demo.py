import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from conftest import ROOT
from lfdn_mm.cli.demo import LABEL_HEIGHT, run_demo
from lfdn_mm.datasets import make_demo_set
from lfdn_mm.utils import write_image

pytestmark = pytest.mark.slow


def test_make_demo_data_tool_writes_the_set(tmp_path):
    out = tmp_path / 'demo'
    result = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'make_demo_data.py'), '--out', str(out),
         '--num-train', '3', '--num-val', '2', '--crop-size', '32', '--task', 'deblur'],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '3 train, 2 val' in result.stdout
    assert len(list((out / 'val' / 'target').glob('*.png'))) == 2


def test_make_demo_data_tool_writes_the_photos(tmp_path):
    out = tmp_path / 'photos'
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_demo_data.py'),
                             '--photos', '--out', str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f'14 clean photographs in {out}' in result.stdout
    assert len(list(out.glob('*.png'))) == 14


def test_demo_trains_tests_restores_and_scores(tmp_path):
    rng = np.random.default_rng(0)
    photos = tmp_path / 'photos'
    for index in range(7):  # the demo config holds out one in seven: 6 train, 1 val
        write_image(photos / f'p{index}.png', rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    real = tmp_path / 'real'
    make_demo_set(real, num_train=1, num_val=2, crop_size=40)
    work_dir = tmp_path / 'work'
    summary = run_demo('derain', work_dir, max_iters=2, data_root=photos, real_test=real / 'val',
                       extra_options=['train_dataloader.batch_size=2',
                                      'train_dataloader.dataset.pipeline.2.crop_size=(32,32)',
                                      'model.generator.num_blocks=1'])
    assert set(summary) == {'val', 'real'}
    assert summary['val']['pairs'] == 1 and summary['real']['pairs'] == 2
    for scores in summary.values():
        assert all(0 < scores[k]['PSNR'] < 100 and 0 < scores[k]['SSIM'] <= 1
                   for k in ('input', 'restored'))
    metrics = json.loads((work_dir / 'metrics.json').read_text())
    assert set(metrics) == {'SynthRain/PSNR', 'SynthRain/SSIM'}
    # tools/test.py and the restore command agree on the held-out photograph (up to the 8-bit
    # rounding of the written files)
    assert metrics['SynthRain/PSNR'] == pytest.approx(summary['val']['restored']['PSNR'], abs=0.1)
    assert sorted(p.name for p in (work_dir / 'restored_real').iterdir()) == \
        sorted(p.name for p in (real / 'val' / 'input').iterdir())
    for scores in summary.values():  # the shipped starter restored the same pairs
        assert 0 < scores['starter']['PSNR'] < 100 and 0 < scores['starter']['SSIM'] <= 1
    assert sorted(p.name for p in (work_dir / 'starter_real').iterdir()) == \
        sorted(p.name for p in (real / 'val' / 'input').iterdir())
    panel = cv2.imread(str(work_dir / 'side_by_side.png'))
    assert panel.shape == (LABEL_HEIGHT + 2 * 40, 4 * 40, 3)  # input | here | starter | target
    starter = cv2.imread(str(work_dir / 'starter_real' / sorted(
        p.name for p in (real / 'val' / 'input').iterdir())[0]))
    np.testing.assert_array_equal(panel[LABEL_HEIGHT:LABEL_HEIGHT + 40, 80:120], starter)
    assert (work_dir / 'iter_2.pth').exists()
