"""LFDN's constructor: registered components and norm/act configs build the networks of the
earlier string keys, with the same state-dict keys, and the shipped checkpoints restore what
they restored before the constructor changed (values recorded from that code)."""
import hashlib

import pytest
import torch
from mmengine.config import Config
from torch import nn

from helpers.tiny_configs import write_tiny_config
from lfdn_mm.cli import build_runner
from lfdn_mm.models import LFDN, PRESETS, build_lfdn_preset
from lfdn_mm.pretrained import pretrained_checkpoint
from lfdn_mm.utils import load_checkpoint_file

#: sha256 (16 hex) of "key:shape" lines of each preset's state dict, and of the starters'
STATE_DICT_KEYS = {
    'paper': 'e6d6654a8145000c',
    'fdnb_split': '6cda74fba79f4026',
    'alfm_l2': 'e6d6654a8145000c',
    'wo_mshf': 'a8123b4ccf150308',
    'rfdb': 'ec145649fc3972fd',
    'cnn': 'acd6664802b522bc',
    'wo_fusion': 'b5c8b78015256d0d',
    'wo_all': '64007e07b309e385',
    'fixed_theta': 'e6d6654a8145000c',
    'fixed_alpha': 'e6d6654a8145000c',
    'blocks_1': '5c30e4a28eed8e3e',
    'blocks_2': '6dd1e9886a8ffba9',
    'blocks_3': '9261c19a489b8bf8',
    'blocks_4': 'e6d6654a8145000c',
    'blocks_5': 'd67d34ba1e5fc6cc',
    'blocks_6': '36fe6c5d2c4f8144',
    'starter': 'e6d6654a8145000c',
}
#: the shipped starters' output on :func:`fixed_image` (mean, std, two pixels), recorded when
#: each one's weights shipped
STARTER_OUTPUTS = {
    'derain': dict(mean=0.45562371611595154, std=0.28558114171028137,
                        corner=[0.4561084, 0.0988609, 0.2979607],
                        centre=[0.0067207, 0.2384207, 0.503485]),
    'deblur': dict(mean=0.4965711236000061, std=0.2877970337867737,
                        corner=[0.4839076, 0.13307, 0.3412922],
                        centre=[0.0359686, 0.2714856, 0.5408613]),
}


def keys_digest(model):
    lines = '\n'.join(f'{k}:{tuple(v.shape)}' for k, v in model.state_dict().items())
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def fixed_image():
    return torch.rand(1, 3, 24, 40, generator=torch.Generator().manual_seed(0))


def starter(name):
    model = LFDN(global_residual=True).eval()
    state = load_checkpoint_file(str(pretrained_checkpoint(name)))['state_dict']
    model.load_state_dict({key[len('generator.'):]: value.float() for key, value in state.items()
                           if key.startswith('generator.')})
    return model


@pytest.mark.parametrize('preset', sorted(PRESETS))
def test_every_preset_keeps_its_state_dict_keys(preset):
    assert keys_digest(build_lfdn_preset(preset)) == STATE_DICT_KEYS[preset]


@pytest.mark.parametrize('name', sorted(STARTER_OUTPUTS))
def test_shipped_checkpoints_load_with_the_same_keys_and_outputs(name):
    model = starter(name)
    assert keys_digest(model) == STATE_DICT_KEYS['starter']
    with torch.no_grad():
        out = model(fixed_image())
    expected = STARTER_OUTPUTS[name]
    actual = dict(mean=out.mean().item(), std=out.std().item(), corner=out[0, :, 0, 0].tolist(),
                  centre=out[0, :, 12, 20].tolist())
    for key, value in expected.items():
        torch.testing.assert_close(torch.tensor(actual[key]), torch.tensor(value), atol=1e-5,
                                   rtol=0, msg=f'{name} {key}')


@pytest.mark.parametrize('old, new', [
    (dict(encoder='strided'), dict(encoder=dict(type='StridedEncoder'))),
    (dict(block='fdnb_split', split_ratio=0.4),
     dict(block=dict(type='SplitFDNB', split_ratio=0.4))),
    (dict(block='rfdb'), dict(norm_cfg=None)),
    (dict(block='cnn'), dict(block=dict(type='PlainBlock'))),
    (dict(fusion='concat'), dict(fusion=dict(type='ConcatFusion'), acfm=None)),
    (dict(norm='batch'), dict(norm_cfg=dict(type='BN'))),
    (dict(theta=0.1, learn_theta=False, softmax_mode='max_minus', alfm_logit_scale='l2'),
     dict(fusion=dict(type='ALFM', theta=0.1, learn_theta=False, softmax_mode='max_minus',
                      logit_scale='l2'))),
    (dict(alpha=0.2, learn_alpha=False, acfm_channels=4),
     dict(acfm=dict(type='ACFM', alpha=0.2, learn_alpha=False, hidden_channels=4))),
    (dict(num_levels=3, cca_reduction=8),
     dict(encoder=dict(type='MSHF', num_levels=3), block=dict(type='FDNB', cca_reduction=8))),
])
def test_the_earlier_keys_build_the_same_network(old, new):
    image = torch.rand(1, 3, 32, 32)
    networks = []
    for switches in (old, new):
        torch.manual_seed(0)
        networks.append(LFDN(num_blocks=2, **switches).eval())
    assert keys_digest(networks[0]) == keys_digest(networks[1])
    with torch.no_grad():
        torch.testing.assert_close(networks[0](image), networks[1](image), atol=0, rtol=0)
    assert [type(m) for m in networks[0].modules()] == [type(m) for m in networks[1].modules()]


@pytest.mark.parametrize('kwargs, message', [
    (dict(encoder='unet'), r"encoder must be one of \['mshf', 'strided'\] or a config dict"),
    (dict(block='transformer'), 'block must be one of .* or a config dict'),
    (dict(fusion='sum'), 'fusion must be one of .* or a config dict'),
    (dict(norm='group'), 'norm must be one of'),
])
def test_an_unknown_earlier_key_value_names_the_choices(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LFDN(**kwargs)


def test_unknown_arguments_and_types_are_named():
    with pytest.raises(TypeError, match=r"unexpected arguments \['blocks'\]"):
        LFDN(blocks=3)
    with pytest.raises(KeyError, match="'Transformer' is not a registered module type"):
        LFDN(block=dict(type='Transformer'))


def test_norm_and_act_configs_reach_every_block():
    network = LFDN(num_blocks=2, norm_cfg=dict(type='GN', num_groups=5),
                   act_cfg=dict(type='ReLU'))
    for block in network.blocks:
        assert all(type(d[1]) is nn.GroupNorm and d[1].num_groups == 5 for d in block.distill)
        assert type(block.act) is nn.ReLU
    own = LFDN(num_blocks=1, block=dict(type='FDNB', norm_cfg=None), norm_cfg=dict(type='BN'))
    assert all(type(d[1]) is nn.Identity for d in own.blocks[0].distill)
    plain = LFDN(num_blocks=1, block=dict(type='PlainBlock'), act_cfg=dict(type='GELU'))
    assert type(plain.blocks[0].body[1]) is nn.GELU


def test_a_config_with_norm_cfg_and_act_cfg_trains(tiny_demo, tmp_path, one_thread):
    extra = ("model = dict(generator=dict(num_blocks=1, encoder_channels=16, mid_channels=16, "
             "norm_cfg=dict(type='GN', num_groups=4), "
             "act_cfg=dict(type='LeakyReLU', negative_slope=0.1)))")
    config = write_tiny_config(tmp_path / 'norm_act.py', tiny_demo, max_iters=3, extra=extra)
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(tmp_path / 'work')
    runner = build_runner(cfg)
    runner.train()
    assert runner.iter == 3
    assert torch.isfinite(torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    block = runner.model.generator.blocks[0]
    assert isinstance(block.distill[0][1], nn.GroupNorm) and block.distill[0][1].num_groups == 4
    assert isinstance(block.act, nn.LeakyReLU) and block.act.negative_slope == 0.1
