import subprocess
import sys
from pathlib import Path

import mmagic
import pytest
from mmengine.config import Config

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config
from lfdn_mm.cli import build_runner
from lfdn_mm.inference.registry import plain_forms_by_form

pytestmark = pytest.mark.slow

MMAGIC_TRAIN = Path(mmagic.__file__).parent / '.mim' / 'tools' / 'train.py'
RGB_VAL_PIPELINE = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs'),
]


def point_at_tiny_demo(cfg, root, work_dir):
    """Train ``cfg`` for two iterations on the tiny demo set and validate on its val split."""
    train = cfg.train_dataloader
    train.update(batch_size=2, num_workers=0, persistent_workers=False)
    train.dataset.update(data_root=f'{root}/train', data_prefix=dict(img='input', gt='target'))
    for transform in train.dataset.pipeline:
        if transform.type == 'PairedRandomCrop':
            transform.gt_patch_size = 64
    demo_val = dict(
        num_workers=0, persistent_workers=False, drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='BasicImageDataset', metainfo=dict(dataset_type='Demo'),
                     data_root=f'{root}/val', data_prefix=dict(img='input', gt='target'),
                     pipeline=RGB_VAL_PIPELINE))
    cfg.val_dataloader = cfg.test_dataloader = demo_val
    cfg.val_evaluator = cfg.test_evaluator = [dict(type='PSNR', prefix='Demo'),
                                              dict(type='SSIM', prefix='Demo')]
    cfg.val_cfg, cfg.test_cfg = dict(type='MultiValLoop'), dict(type='MultiTestLoop')
    cfg.train_cfg.update(max_iters=2, val_interval=2)
    cfg.default_hooks.checkpoint.update(interval=2, out_dir=None, save_best='Demo/PSNR')
    cfg.work_dir = str(work_dir)
    return cfg


def run_two_iterations(config, tiny_demo, tmp_path, **generator):
    cfg = point_at_tiny_demo(Config.fromfile(str(ROOT / config)), tiny_demo, tmp_path / 'work')
    cfg.model.generator.update(generator)
    runner = build_runner(cfg)
    runner.train()
    assert runner.iter == 2
    assert (tmp_path / 'work' / 'iter_2.pth').exists()
    assert runner.message_hub.get_scalar('val/Demo/PSNR').current() > 0
    return runner


@pytest.mark.parametrize('config, generator, expected', [
    ('configs/mixing/lfdn-in-nafnet_c64_8xb8-lr1e-3-400k_gopro.py', dict(num_blocks=1), 'LFDN'),
    ('configs/mixing/lfdn-in-restormer_1xb16-lr1e-4-1000k_rain14000.py', dict(num_blocks=1),
     'LFDN'),
    ('configs/mixing/nafnet-in-lfdn_c64_1xb16-lr1e-4-1000k_gopro.py',
     dict(enc_blk_nums=[1, 1, 1, 1]), 'NAFNetLocal'),
    ('configs/mixing/nafnet-in-lfdn_c16_1xb8-lr5e-4-600i_paired-derain.py', {}, 'NAFNet'),
])
def test_mixing_recipe_trains_on_the_demo_data(config, generator, expected, tiny_demo, tmp_path):
    runner = run_two_iterations(config, tiny_demo, tmp_path, **generator)
    generator_type = type(runner.model.generator)  # LFDN trains in its fast form
    assert plain_forms_by_form().get(generator_type, generator_type).__name__ == expected


def test_lfdn_nafnet_recipe_reads_rgb_in_training_and_validation():
    cfg = Config.fromfile(str(ROOT / 'configs/mixing/lfdn-in-nafnet_c64_8xb8-lr1e-3-400k_gopro.py'))
    loads = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'LoadImageFromFile']
    loads += [t for t in cfg.val_dataloader.dataset.pipeline if t.type == 'LoadImageFromFile']
    assert [t.channel_order for t in loads] == ['rgb'] * 4
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'  # NAFNet's recipe is kept


def test_lfdn_config_trains_with_mmagic_own_train_tool(tmp_path, tiny_demo):
    config = write_tiny_config(tmp_path / 'c.py', tiny_demo, max_iters=1)
    result = subprocess.run(
        [sys.executable, str(MMAGIC_TRAIN), str(config), '--work-dir', str(tmp_path / 'work')],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'work' / 'iter_1.pth').exists()
