import math
import os
from pathlib import Path

import numpy as np
import pytest
from mmagic import registry
from mmagic.registry import HOOKS, MODELS
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope, Registry
from mmengine.runner import Runner

from lfdn_mm.utils import write_image

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / 'configs').rglob('*.py'))
BENCHMARKS = {
    'lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py': ('GoPro', 'HIDE', 'Kohler'),
    'lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000.py': ('Test2800', 'Rain100H', 'Rain100L', 'Test100'),
}
PAIRS_PER_SET = 2
IMAGE_SIZE = (40, 48)  # height, width
CROP = 32


@HOOKS.register_module(force=True)
class ValMetricsCatcher(Hook):
    """Keep the metrics of the last validation (MultiValLoop.run returns none)."""

    def __init__(self):
        self.metrics = None

    def after_val_epoch(self, runner, metrics=None):
        self.metrics = dict(metrics or {})


#: every registry a config's ``type`` may name
REGISTRIES = [getattr(registry, name) for name in registry.__all__
              if isinstance(getattr(registry, name), Registry)]


def config_types(node):
    """Every string ``type`` in a config, at any depth."""
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield node['type']
        for value in node.values():
            yield from config_types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from config_types(value)


def registered(name):
    with DefaultScope.overwrite_default_scope('mmagic'):
        return any(r.get(name) is not None for r in REGISTRIES)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_config_names_registered_types_and_builds_its_model(path):
    cfg = Config.fromfile(str(path))
    types = set(config_types(cfg.to_dict()))
    assert types, f'{path.name} names no type'
    assert sorted(name for name in types if not registered(name)) == []
    if '_base_' in path.parts and 'model' not in cfg:
        return
    generator = cfg.model.generator
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    assert isinstance(model, BaseModel)
    built = type(model.generator).__name__
    assert built == ('LFDN' if generator.type == 'LFDNPreset' else generator.type)
    assert sum(p.numel() for p in model.generator.parameters()) > 10_000
    if '_base_' not in path.parts:
        assert 'test_dataloader' in cfg or 'train_dataloader' in cfg


def as_list(loaders):
    return list(loaders) if isinstance(loaders, (list, tuple)) else [loaders]


def dataloaders(cfg):
    return [cfg.train_dataloader, *as_list(cfg.val_dataloader), *as_list(cfg.test_dataloader)]


def fake_config_layout(cfg, data):
    """Point every dataset of ``cfg`` into ``data`` and write a few small pairs there."""
    rng = np.random.default_rng(0)
    for loader in dataloaders(cfg):
        loader.num_workers = 0
        loader.persistent_workers = False
        dataset = loader.dataset
        dataset.serialize_data = False  # its gc.collect() costs more than these datasets
        if not os.path.isabs(dataset.data_root):  # val and test may share one dict
            dataset.data_root = str(data / dataset.data_root)
        for index in range(PAIRS_PER_SET):
            clean = rng.integers(0, 256, (*IMAGE_SIZE, 3), dtype=np.uint8)
            noisy = np.clip(clean + rng.normal(0, 10, clean.shape), 0, 255).astype(np.uint8)
            root, prefix = Path(dataset.data_root), dataset.data_prefix
            write_image(root / prefix.img / f'{index}.png', noisy)
            write_image(root / prefix.gt / f'{index}.png', clean)


def small_runner_config(name, tmp_path):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'lfdn' / name))
    fake_config_layout(cfg, tmp_path)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_iters = 1
    cfg.default_hooks.checkpoint.save_last = False  # the best checkpoint is saved and checked
    cfg.train_dataloader.batch_size = 2
    crops = [step for step in cfg.train_dataloader.dataset.pipeline
             if step.type == 'PairedRandomCrop']
    assert len(crops) == 1
    crops[0].gt_patch_size = CROP
    cfg.model.generator.update(num_blocks=1, encoder_channels=16, mid_channels=16)
    cfg.custom_hooks = [*cfg.get('custom_hooks', []), dict(type='MetricsDumpHook'),
                        dict(type='ValMetricsCatcher')]
    return cfg


def hook(runner, name):
    return next(h for h in runner.hooks if type(h).__name__ == name)


def check_metrics(metrics, sets):
    expected = {f'{name}/{metric}' for name in sets for metric in ('PSNR', 'SSIM')}
    assert expected <= set(metrics)
    assert all(math.isfinite(metrics[key]) for key in expected)
    assert all(0 < metrics[f'{name}/PSNR'] < 100 for name in sets)


@pytest.mark.parametrize('name', sorted(BENCHMARKS))
def test_benchmark_config_trains_validates_and_tests_on_its_layout(name, tmp_path, one_thread):
    cfg = small_runner_config(name, tmp_path)
    runner = Runner.from_cfg(cfg)

    runner.train()  # one step, then the validation the loop runs at its last iteration
    assert runner.iter == 1
    assert math.isfinite(runner.message_hub.get_scalar('train/loss').current())
    first_batch = next(iter(runner.train_dataloader))
    assert tuple(first_batch['inputs'][0].shape) == (3, CROP, CROP)
    assert len(first_batch['inputs']) == 2
    check_metrics(hook(runner, 'ValMetricsCatcher').metrics,
                  [loader.dataset.metainfo.dataset_type for loader in
                   as_list(cfg.val_dataloader)])
    best = cfg.default_hooks.checkpoint.save_best.replace('/', '_')
    assert (Path(cfg.work_dir) / f'best_{best}_iter_1.pth').is_file()

    runner.test()
    sets = BENCHMARKS[name]
    assert [len(loader.dataset) for loader in runner.test_loop.dataloaders] == [
        PAIRS_PER_SET] * len(sets)
    check_metrics(hook(runner, 'MetricsDumpHook').metrics, sets)


@pytest.mark.parametrize('config', sorted((ROOT / 'configs/lfdn/ablations').glob('*.py')),
                         ids=lambda path: path.name)
def test_ablation_configs_are_exactly_a_preset(config):
    from mmengine.config import Config

    from lfdn_mm.models.presets import PRESETS
    generator = Config.fromfile(str(config)).model.generator
    assert generator.type == 'LFDNPreset' and generator.preset in PRESETS
    extra = set(generator) - {'type', 'preset'}
    assert extra <= {'theta', 'alpha'}, f'{config.name} changes {extra} beside its preset'
