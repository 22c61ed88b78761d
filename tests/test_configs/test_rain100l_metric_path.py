from pathlib import Path

import pytest
from mmagic.registry import MODELS
from mmengine.config import Config
from mmengine.runner import Runner
from torch import nn

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / 'configs' / 'lfdn' / 'lfdn_c50n4_1xb16-lr1e-4-1000k_rain14000.py'


@MODELS.register_module(force=True)
class IdentityRestorer(nn.Module):
    """Returns its input: the restoration every model has to beat."""

    def forward(self, x):
        return x


def rain100l_only(cfg, data_root, work_dir):
    """Keep the Rain100L test set of ``cfg`` (data at ``data_root``) and an identity model."""
    loader = next(loader for loader in cfg.test_dataloader
                  if loader.dataset.metainfo.dataset_type == 'Rain100L')
    evaluator = next(metrics for metrics in cfg.test_evaluator
                     if {metric.prefix for metric in metrics} == {'Rain100L'})
    loader.dataset.data_root = str(data_root)
    loader.num_workers = 0
    cfg.test_dataloader, cfg.test_evaluator = [loader], [evaluator]
    cfg.model.generator = dict(type='IdentityRestorer')
    cfg.custom_hooks = [dict(type='MetricsDumpHook')]
    cfg.work_dir = str(work_dir)
    return cfg


def test_identity_on_rain100l_gives_the_known_input_scores(rain100l, tmp_path, one_thread):
    cfg = rain100l_only(Config.fromfile(str(CONFIG)), rain100l, tmp_path)
    assert [metric.convert_to for metric in cfg.test_evaluator[0]] == ['Y', 'Y']

    runner = Runner.from_cfg(cfg)
    runner.test()
    metrics = next(h for h in runner.hooks if type(h).__name__ == 'MetricsDumpHook').metrics

    assert len(runner.test_loop.dataloaders[0].dataset) == 100
    assert 26.85 < metrics['Rain100L/PSNR'] < 26.95
    assert metrics['Rain100L/SSIM'] == pytest.approx(0.8384, abs=5e-4)
