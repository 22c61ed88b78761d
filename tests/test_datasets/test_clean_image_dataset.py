import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from lfdn_mm.datasets import CleanImageDataset
from lfdn_mm.utils import write_image

DEMO_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py'


@pytest.fixture(scope='module')
def clean_folder(tmp_path_factory):
    """Ten 64x64 'photographs' and a README that is not an image."""
    root = tmp_path_factory.mktemp('clean')
    rng = np.random.default_rng(0)
    for index in range(10):
        write_image(root / f'photo_{index:02d}.png',
                    rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    (root / 'README.md').write_text('not an image')
    return root


def keys(dataset):
    return [dataset.get_data_info(i)['key'] for i in range(len(dataset))]


def test_splits_are_disjoint_and_cover_the_folder(clean_folder):
    train = CleanImageDataset(str(clean_folder), split='train', holdout_every=5)
    val = CleanImageDataset(str(clean_folder), split='val', holdout_every=5)
    every = CleanImageDataset(str(clean_folder), split='all')
    assert keys(val) == ['photo_04', 'photo_09']
    assert len(keys(train)) == 8 and not set(keys(train)) & set(keys(val))
    assert sorted(keys(train) + keys(val)) == keys(every)
    assert set(every.get_data_info(0)) >= {'gt_path', 'key'}
    assert 'img_path' not in every.get_data_info(0)


def test_bad_arguments_and_folders_are_named(clean_folder, tmp_path):
    with pytest.raises(ValueError, match='split must be one of'):
        CleanImageDataset(str(clean_folder), split='test')
    with pytest.raises(ValueError, match='holdout_every must be an int >= 2'):
        CleanImageDataset(str(clean_folder), holdout_every=1)
    with pytest.raises(FileNotFoundError, match='is not a folder'):
        CleanImageDataset(str(tmp_path / 'missing'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no images'):
        CleanImageDataset(str(tmp_path / 'empty'))
    with pytest.raises(ValueError, match="'val' split .* is empty"):
        CleanImageDataset(str(clean_folder), split='val', holdout_every=20)


def test_pipeline_synthesises_a_training_pair(clean_folder):
    from mmengine.config import Config
    cfg = Config.fromfile(str(DEMO_CONFIG))
    dataset = dict(cfg.train_dataloader.dataset, data_root=str(clean_folder), holdout_every=5)
    dataset['pipeline'][2]['crop_size'] = (32, 32)
    from mmagic.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    built = DATASETS.build(dataset)
    np.random.seed(0)
    first = built[0]
    second = built[0]
    assert tuple(first['inputs'].shape) == (3, 32, 32)
    assert tuple(first['data_samples'].gt_img.shape) == (3, 32, 32)
    assert not np.array_equal(first['inputs'].numpy(), second['inputs'].numpy())


SHORT_RUN = """
val_dataloader = dict(dataset=dict(data_root=data_root, holdout_every=5))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=3, val_interval=3)
param_scheduler = dict(T_max=3)
default_hooks = dict(checkpoint=dict(interval=3), logger=dict(interval=1))
"""


def train_three_iterations(base, clean_folder, tmp_path, crop, degradation, extra=''):
    """Train ``base`` for 3 iterations on ``clean_folder`` with ``crop`` px crops degraded by
    ``degradation``; return the work folder and the logged scalars."""
    config = tmp_path / 'short.py'
    config.write_text(f"""_base_ = ['{base}']
data_root = '{clean_folder}'
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    data_root=data_root, holdout_every=5,
    pipeline=_base_.load_gt + [dict(type='Crop', keys=['gt'], crop_size=({crop}, {crop}),
    random_crop=True)] + _base_.flip_gt + [dict(type='{degradation}')] + _base_.pack))
""" + SHORT_RUN + extra)
    work_dir = tmp_path / 'work'
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'train.py'), str(config),
                             '--work-dir', str(work_dir)], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work_dir / 'iter_3.pth').exists()
    logs = [json.loads(line) for line in next(work_dir.rglob('vis_data/scalars.json')).open()]
    losses = [entry['loss'] for entry in logs if 'loss' in entry]
    assert len(losses) == 3 and all(np.isfinite(losses))
    return work_dir, logs


def test_trains_a_few_iterations_from_a_clean_folder(clean_folder, tmp_path):
    _, logs = train_three_iterations(DEMO_CONFIG, clean_folder, tmp_path, 32, 'SynthesizeRain',
                                     'model = dict(generator=dict(num_blocks=1))\n')
    validations = [entry for entry in logs if 'SynthRain/PSNR' in entry]
    assert len(validations) == 1 and 5 < validations[0]['SynthRain/PSNR'] < 60
    assert validations[0]['step'] == 3  # logged at its iteration, not at epoch 0


def test_deblur_recipe_trains_from_a_clean_folder_and_keeps_its_best(clean_folder, tmp_path):
    """The shipped deblur starter's one-command recipe, on 64 px crops for 3 iterations."""
    recipe = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-2400i_camblur-photos.py'
    work_dir, logs = train_three_iterations(recipe, clean_folder, tmp_path, 64,
                                            'SynthesizeCameraBlur')
    assert (work_dir / 'best_SynthCameraBlur_PSNR_iter_3.pth').exists()
    psnr = [entry['SynthCameraBlur/PSNR'] for entry in logs if 'SynthCameraBlur/PSNR' in entry]
    assert len(psnr) == 1 and 5 < psnr[0] < 60
