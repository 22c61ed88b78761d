"""FastFormsHook switches a model to its fast forms (channels_last if asked), optimizer kept."""
from types import SimpleNamespace

import pytest
import torch
from conftest import ROOT
from mmengine.config import Config

from lfdn_mm.engine import FastFormsHook
from lfdn_mm.inference.fast_forms import FastInstanceNorm2d, FoldedACFM
from lfdn_mm.models import ACFM, LFDN


@pytest.mark.parametrize('hook, channels_last', [
    (FastFormsHook(), False), (FastFormsHook(channels_last=True), True)])
@pytest.mark.parametrize('stage', ['before_train', 'before_val', 'before_test'])
def test_hook_converts_in_place_and_the_optimizer_keeps_training(hook, channels_last, stage):
    model = LFDN(num_blocks=1, alpha=0.5)  # alpha 0 would give ACFM no gradient
    assert type(model.acfm) is ACFM
    parameters = list(model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    getattr(hook, stage)(SimpleNamespace(model=model))
    assert type(model.acfm) is FoldedACFM
    assert type(model.blocks[0].distill[0][1]) is FastInstanceNorm2d
    assert model.head.weight.is_contiguous(memory_format=torch.channels_last) == channels_last
    assert all(a is b for a, b in zip(model.parameters(), parameters))
    model(torch.rand(1, 3, 32, 32)).mean().backward()
    before = model.acfm.spatial.weight.detach().clone()
    optimizer.step()
    assert not torch.equal(model.acfm.spatial.weight, before)


def test_a_disabled_hook_keeps_the_plain_modules():
    model = LFDN(num_blocks=1)
    FastFormsHook(enabled=False).before_train(SimpleNamespace(model=model))
    assert type(model.acfm) is ACFM


def test_the_lfdn_runtime_adds_the_hook_to_every_lfdn_config():
    for name in ('configs/lfdn/lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py',
                 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py',
                 'configs/mixing/lfdn-in-nafnet_c64_8xb8-lr1e-3-400k_gopro.py',
                 'configs/mixing/lfdn-in-restormer_1xb16-lr1e-4-1000k_rain14000.py'):
        hooks = Config.fromfile(ROOT / name).default_hooks
        assert hooks.fast_forms.type == 'FastFormsHook', name
        assert 'lfdn_mm.safe_checkpoints' in Config.fromfile(ROOT / name).custom_imports.imports


@pytest.mark.parametrize('config, channels_last', [
    ('lfdn_c50n4-gres_1xb8-lr5e-4-2400i_camblur-photos.py', True),
    ('lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py', False),
    ('lfdn_c50n4_1xb16-lr1e-4-1000k_gopro.py', False)])
def test_configs_choose_channels_last_as_an_option_of_the_one_fast_forms_hook(config,
                                                                                channels_last):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'lfdn' / config))
    assert cfg.default_hooks.fast_forms.type == 'FastFormsHook'
    assert cfg.default_hooks.fast_forms.get('channels_last', False) is channels_last
    assert [h for h in cfg.get('custom_hooks', []) if h['type'] == 'FastFormsHook'] == []
