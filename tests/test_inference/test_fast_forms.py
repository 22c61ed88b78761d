"""The fast forms of lfdn_mm.inference.fast_forms compute what the plain modules compute, and
the one registry of forms refuses what it does not know."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.runner import load_state_dict
from torch import nn

from lfdn_mm.inference import (FAST_FORMS, UnregisteredFormError, convert_for_inference,
                               fast_forms, register_fast_form)
from lfdn_mm.inference.fast_forms import (ContiguousBatchNorm2d, ContiguousGroupNorm,
                                          FastInstanceNorm2d, FoldedACFM, LayoutKeepingALFM,
                                          LeanLFDN, WindowedCCALayer, plain_forms)
from lfdn_mm.inference.tile_invariance import lean_fuse
from lfdn_mm.models import ACFM, FDNB, LFDN, PRESETS, build_lfdn_preset
from lfdn_mm.models.blocks import CCALayer, build_norm
from lfdn_mm.pretrained import PRETRAINED, STARTER_MODEL, pretrained_checkpoint
from lfdn_mm.utils import load_checkpoint_file


def channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)


def is_channels_last(x):
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def randomise(module, scale=0.3):
    """Random norm parameters and running statistics and active attention scales; the
    convolutions keep their default initialisation."""
    generator = torch.Generator().manual_seed(0)

    def noise(tensor):
        return scale * torch.randn(tensor.shape, generator=generator)

    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.InstanceNorm2d, nn.BatchNorm2d, nn.GroupNorm)):
                if layer.weight is not None:
                    layer.weight.copy_(1 + noise(layer.weight))
                    layer.bias.copy_(noise(layer.bias))
                if getattr(layer, 'running_mean', None) is not None:
                    layer.running_mean.copy_(noise(layer.running_mean))
                    layer.running_var.copy_(1 + noise(layer.running_var).abs())
            if isinstance(layer, ACFM):
                layer.alpha.fill_(0.3)
                for parameter in layer.parameters():
                    parameter.copy_(noise(parameter))
            if hasattr(layer, 'theta'):
                layer.theta.fill_(0.01)
    return module


def plain_and_converted(make, **convert):
    plain = randomise(make())
    converted = make()
    converted.load_state_dict(plain.state_dict())
    return plain, convert_for_inference(converted, **convert)


@pytest.mark.parametrize('memory_format', ['contiguous', 'channels_last'])
@pytest.mark.parametrize('name, make', [
    ('paper', lambda: build_lfdn_preset('paper')),
    ('fdnb_split', lambda: build_lfdn_preset('fdnb_split')),
    *[(f'norm={norm}', lambda norm=norm: LFDN(norm=norm)) for norm in ('batch', 'layer', 'none')],
    ('norm=GN(5)', lambda: LFDN(norm=dict(type='GN', num_groups=5))),
])
def test_converted_model_equals_the_plain_model(name, make, memory_format):
    plain, converted = plain_and_converted(
        make, channels_last=memory_format == 'channels_last')
    x = torch.rand(2, 3, 40, 56)
    with torch.no_grad():
        expected, out = plain.eval()(x), converted.eval()(x)
    diff = (out - expected).abs().max().item()
    print(f'{name}, {memory_format}: max |converted - plain| = {diff:.1e} '
          f'(outputs up to {expected.abs().max():.2f})')
    assert diff < 1e-5
    assert isinstance(converted.acfm, FoldedACFM) and type(plain.acfm) is ACFM
    assert converted.head.weight.is_contiguous(
        memory_format=torch.channels_last) == (memory_format == 'channels_last')


@pytest.mark.parametrize('norm', ['instance', 'batch', 'layer'])
def test_converted_model_trains_like_the_plain_model(norm):
    plain, converted = plain_and_converted(lambda: LFDN(norm=norm, num_blocks=2))
    x = torch.rand(2, 3, 32, 32)
    for model in (plain, converted):
        F.mse_loss(model.train()(x), x).backward()
    for (name, a), b in zip(plain.named_parameters(), converted.parameters()):
        torch.testing.assert_close(b.grad, a.grad, atol=1e-4, rtol=1e-3, msg=name)
    for (name, a), b in zip(plain.named_buffers(), converted.buffers()):  # batch statistics
        torch.testing.assert_close(b, a, atol=1e-5, rtol=1e-5, msg=name)


def test_conversion_keeps_parameters_state_dict_and_the_optimizer():
    model = randomise(LFDN(num_blocks=2))
    parameters = list(model.parameters())
    state = {key: value.clone() for key, value in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    convert_for_inference(model)
    assert all(a is b for a, b in zip(model.parameters(), parameters))
    assert list(model.state_dict()) == list(state)
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key
    F.l1_loss(model(torch.rand(1, 3, 32, 32)), torch.rand(1, 3, 32, 32)).backward()
    optimizer.step()
    assert not torch.equal(model.head.weight, state['head.weight'])
    assert convert_for_inference(model) is model  # converting twice changes nothing


def test_every_norm_and_cca_gets_its_form_and_plain_forms_switches_back():
    model = LFDN(num_blocks=2)
    types = [type(module) for module in model.modules()]
    convert_for_inference(model, channels_last=False)
    converted = [type(module) for module in model.modules()]
    assert {t for t in converted if t in FAST_FORMS and FAST_FORMS[t].form} == set()
    assert {FoldedACFM, LayoutKeepingALFM, FastInstanceNorm2d, WindowedCCALayer,
            LeanLFDN} <= set(converted)
    with plain_forms(model):
        assert [type(module) for module in model.modules()] == types
    assert [type(module) for module in model.modules()] == converted
    kept = convert_for_inference(LFDN(num_blocks=1), fold_acfm=False)
    assert type(kept.acfm) is ACFM


def test_the_lean_middle_runs_only_without_gradients(monkeypatch):
    calls = []

    def counted_lean_fuse(network, feat):
        calls.append(feat.shape)
        return LFDN.fuse(network, feat)

    monkeypatch.setattr(fast_forms, 'lean_fuse', counted_lean_fuse)
    model = convert_for_inference(LFDN(num_blocks=1))
    x = torch.rand(1, 3, 32, 32)
    model(x).sum().backward()
    assert calls == [] and model.head.weight.grad is not None
    with torch.no_grad():
        model.eval()(x)
    assert calls == [torch.Size([1, 50, 8, 8])]
    without_alfm = convert_for_inference(LFDN(num_blocks=1, fusion='concat'))
    with torch.no_grad():
        without_alfm.eval()(x)
    assert len(calls) == 1


def test_plain_forms_refuses_local_statistics():
    model = convert_for_inference(LFDN(num_blocks=1), window=5)
    with pytest.raises(ValueError, match='local statistics'):
        with plain_forms(model):
            pass


@pytest.mark.parametrize('layout', [lambda x: x, channels_last])
def test_folded_acfm_and_its_gradients_equal_the_conv3d_pair(layout):
    plain = randomise(ACFM(alpha=0.4))
    folded = convert_for_inference(randomise(ACFM(alpha=0.4)))
    x = torch.randn(2, 7, 9, 11, requires_grad=True)
    reference, fast = plain.logits(x), folded.logits(layout(x))
    torch.testing.assert_close(fast, reference, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(folded(layout(x)), plain(x), atol=1e-5, rtol=1e-5)
    names = ['spatial.weight', 'spatial.bias', 'channel.weight', 'channel.bias']
    grads = torch.autograd.grad(fast.square().sum(), [x] + [folded.get_parameter(n)
                                                            for n in names])
    expected = torch.autograd.grad(reference.square().sum(), [x] + [plain.get_parameter(n)
                                                                    for n in names])
    for name, grad, want in zip(['x'] + names, grads, expected):
        torch.testing.assert_close(grad, want, atol=1e-4, rtol=1e-4, msg=name)


def test_folded_acfm_keeps_channels_last():
    folded = convert_for_inference(randomise(ACFM(alpha=0.2)))
    assert is_channels_last(folded(channels_last(torch.rand(1, 6, 8, 8))))


@pytest.mark.parametrize('norm, form', [
    ('instance', FastInstanceNorm2d), ('layer', ContiguousGroupNorm),
    ('batch', ContiguousBatchNorm2d)])
def test_norm_forms_match_torch_and_stay_accurate_in_channels_last(norm, form):
    fast = convert_for_inference(randomise(build_norm(norm, 5)).train())
    assert type(fast) is form
    stock = build_norm(norm, 5).train()
    stock.load_state_dict(fast.state_dict())
    x = torch.randn(2, 5, 12, 10, dtype=torch.float64)
    expected = stock.double()(x).float()
    shifted = (x + 1000).float()  # a large mean: one-pass variances cancel here
    for layout in (lambda t: t, channels_last):
        out = fast(layout(shifted))
        assert out.is_contiguous(memory_format=torch.channels_last) == (layout is channels_last)
        torch.testing.assert_close(out, expected, atol=2e-3, rtol=0)


def test_norms_are_built_by_mmcv_from_the_config_keys():
    assert type(build_norm('instance', 4)) is nn.InstanceNorm2d
    assert build_norm('instance', 4).affine
    assert type(build_norm('batch', 4)) is nn.BatchNorm2d
    layer = build_norm('layer', 4)
    assert type(layer) is nn.GroupNorm and layer.num_groups == 1
    assert type(build_norm('none', 4)) is nn.Identity
    assert build_norm(dict(type='GN', num_groups=2), 4).num_groups == 2


@pytest.mark.parametrize('norm', ['group', 'IN', 3])
def test_an_unknown_norm_names_the_choices(norm):
    with pytest.raises(ValueError, match=r"norm must be one of \['batch', 'instance', 'layer', "
                                         r"'none'\], None or an MMCV norm config"):
        LFDN(norm=norm)


def test_the_cca_layer_is_plain_until_converted():
    cca = CCALayer(8, reduction=4)
    assert not hasattr(cca, 'window')
    convert_for_inference(cca, window=7)
    assert type(cca) is WindowedCCALayer and cca.window == 7


@pytest.mark.parametrize('preset', sorted(PRESETS))
def test_every_preset_keeps_its_state_dict_when_converted(preset):
    plain = build_lfdn_preset(preset)
    converted = convert_for_inference(build_lfdn_preset(preset))
    load_state_dict(converted, plain.state_dict(), strict=True)
    assert list(converted.state_dict()) == list(plain.state_dict())


@pytest.mark.parametrize('name', sorted(PRETRAINED))
def test_shipped_checkpoints_load_strictly_into_plain_and_converted_models(name):
    state_dict = load_checkpoint_file(pretrained_checkpoint(name))['state_dict']
    generator = {key[len('generator.'):]: value for key, value in state_dict.items()
                 if key.startswith('generator.')}
    config = {k: v for k, v in STARTER_MODEL['generator'].items() if k != 'type'}
    plain = LFDN(**config)
    load_state_dict(plain, generator, strict=True)
    converted = convert_for_inference(LFDN(**config))
    load_state_dict(converted, generator, strict=True)
    x = torch.rand(1, 3, 36, 52)
    with torch.no_grad():
        torch.testing.assert_close(converted.eval()(x), plain.eval()(x), atol=1e-5, rtol=0)


class SubclassedFDNB(FDNB):
    """A new block derived from a paper block that has a lean forward."""

    def forward(self, x):
        return super().forward(x) * 0.5


class UnrelatedBlock(nn.Module):
    """A new block type with no relation to the registered classes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(50, 50, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


def network_with(block):
    network = LFDN(num_blocks=1).eval()
    network.blocks[0] = block
    return network


@pytest.fixture
def restored_registry():
    saved = dict(FAST_FORMS)
    yield
    FAST_FORMS.clear()
    FAST_FORMS.update(saved)


def test_a_subclass_of_a_registered_block_is_refused_until_it_is_registered(restored_registry):
    network = network_with(SubclassedFDNB())
    feat = torch.randn(1, 50, 8, 8)
    with pytest.raises(UnregisteredFormError, match='SubclassedFDNB subclasses FDNB.*'
                       r'register_fast_form\(SubclassedFDNB\)'):
        convert_for_inference(network)
    with pytest.raises(UnregisteredFormError, match='SubclassedFDNB'):
        lean_fuse(network, feat)
    register_fast_form(SubclassedFDNB)  # "run it as it is"
    with torch.no_grad():
        expected = network.fuse(feat)
        torch.testing.assert_close(lean_fuse(network, feat), expected, atol=1e-5, rtol=1e-5)
        convert_for_inference(network, channels_last=False)
    assert type(network.blocks[0]) is SubclassedFDNB
    with torch.no_grad():
        torch.testing.assert_close(network.fuse(feat), expected, atol=1e-5, rtol=1e-5)


def test_an_unrelated_block_type_runs_as_it_is():
    network = network_with(UnrelatedBlock())
    feat = torch.randn(1, 50, 8, 8)
    with torch.no_grad():
        expected = LFDN.fuse(network, feat)
        convert_for_inference(network, channels_last=False)
        torch.testing.assert_close(network.fuse(feat), expected, atol=1e-5, rtol=1e-5)
    assert type(network.blocks[0]) is UnrelatedBlock and type(network) is LeanLFDN


def test_a_registered_lean_forward_is_used_for_its_block(restored_registry):
    calls = []

    def lean(block, x):
        calls.append(type(block))
        return block(x)

    register_fast_form(UnrelatedBlock, lean_forward=lean)
    with torch.no_grad():
        lean_fuse(network_with(UnrelatedBlock()), torch.randn(1, 50, 8, 8))
    assert calls == [UnrelatedBlock]


def test_a_form_must_subclass_its_plain_class():
    with pytest.raises(TypeError, match='FoldedACFM must subclass FDNB'):
        register_fast_form(FDNB, FoldedACFM)
