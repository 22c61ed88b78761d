import pytest
import torch

from lfdn_mm.models import LFDN


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def test_paper_preset_has_about_1_55m_parameters():
    params = count_params(LFDN())
    print(f'LFDN paper preset: {params:,} parameters')
    assert 1_500_000 <= params <= 1_600_000


def test_component_parameter_counts():
    model = LFDN()
    assert count_params(model.encoder) == 1_033_984
    assert [count_params(b) for b in model.blocks] == [88_303] * 4
    assert count_params(model.acfm) == 41


@pytest.mark.parametrize('shape', [(1, 3, 17, 29), (2, 3, 33, 20), (3, 3, 1, 1),
                                   (1, 3, 2, 31), (2, 3, 48, 16), (1, 3, 90, 7)])
def test_output_shape_equals_input_shape(shape):
    model = LFDN()
    out = model(torch.rand(shape))
    assert out.shape == shape
    assert torch.isfinite(out).all()


def test_replicate_padding_is_used_where_reflection_cannot_reach():
    model = LFDN()
    tiny = torch.rand(1, 3, 3, 40)
    padded = model.pad(tiny)
    assert padded.shape == (1, 3, 16, 48)
    assert torch.equal(padded[..., 15, :40], tiny[..., 2, :])  # replicated bottom row


def test_reflect_padding_when_possible():
    model = LFDN()
    x = torch.arange(20.).view(1, 1, 1, 20).expand(1, 3, 20, 20)
    padded = model.pad(x)
    assert padded.shape[-2:] == (32, 32)
    assert padded[0, 0, 0, 20] == x[0, 0, 0, 18]


@pytest.mark.parametrize('bad, message', [
    (torch.rand(3, 16, 16), r'\(B, C, H, W\)'),
    (torch.rand(1, 4, 16, 16), '3-channel images, got 4 channels'),
    (torch.rand(1, 1, 16, 16), 'got 1 channels'),
    (torch.rand(0, 3, 16, 16), 'empty tensor'),
])
def test_bad_input_is_rejected_with_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        LFDN()(bad)


@pytest.mark.parametrize('kwargs, message', [
    (dict(encoder='unet'), 'encoder must be'),
    (dict(block='transformer'), 'block must be'),
    (dict(fusion='sum'), 'fusion must be'),
    (dict(norm='group'), 'norm must be'),
    (dict(softmax_mode='sparse'), 'softmax_mode must be'),
    (dict(num_blocks=0), 'num_blocks must be'),
    (dict(num_levels=1), 'num_levels >= 2'),
    (dict(pad_mode='zeros'), 'pad_mode must be'),
    (dict(global_residual=True, out_channels=1), 'in_channels == out_channels'),
])
def test_bad_switch_values_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LFDN(**kwargs)


def test_theta_and_alpha_start_at_zero_and_receive_gradients():
    model = LFDN()
    assert model.alfm.theta.item() == 0 and model.acfm.alpha.item() == 0
    model(torch.rand(2, 3, 32, 32)).square().mean().backward()
    assert model.alfm.theta.grad.abs().item() > 0
    assert model.acfm.alpha.grad.abs().item() > 0


def test_fixed_theta_and_alpha_are_buffers_with_the_given_value():
    model = LFDN(theta=-0.0015, learn_theta=False, alpha=0.1724, learn_alpha=False)
    names = dict(model.named_parameters())
    assert 'alfm.theta' not in names and 'acfm.alpha' not in names
    state = model.state_dict()
    assert state['alfm.theta'].item() == pytest.approx(-0.0015)
    assert state['acfm.alpha'].item() == pytest.approx(0.1724)
    model(torch.rand(1, 3, 16, 16)).mean().backward()


def test_eval_output_is_deterministic_and_batch_independent():
    model = LFDN(theta=0.01, alpha=0.2).eval()
    batch = torch.rand(3, 3, 24, 40)
    with torch.no_grad():
        batched = model(batch)
        again = model(batch)
        single = torch.cat([model(image[None]) for image in batch])
    assert torch.equal(batched, again)
    torch.testing.assert_close(batched, single, atol=1e-5, rtol=1e-4)


def test_identity_init_starts_from_the_input_and_still_learns():
    model = LFDN(global_residual=True)
    x = torch.rand(2, 3, 24, 40)
    out = model(x)
    assert torch.equal(out, x)
    (out - 0.5 * x).abs().mean().backward()
    assert model.decoder[-1][0].weight.grad.abs().sum() > 0
    assert LFDN().decoder[-1][0].weight.abs().sum() > 0  # no global residual: usual init
    assert LFDN(global_residual=True, identity_init=False).decoder[-1][0].weight.abs().sum() > 0


def test_global_residual_adds_the_input():
    model = LFDN(global_residual=True, identity_init=False)
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        net = LFDN.forward(model, x) - x
        model.global_residual = False
        torch.testing.assert_close(net, model(x), atol=1e-6, rtol=0)


def test_gradient_checkpointing_gives_the_same_gradients():
    x = torch.rand(1, 3, 32, 32)
    grads = []
    for with_checkpoint in (False, True):
        torch.manual_seed(0)
        model = LFDN(with_checkpoint=with_checkpoint, theta=0.01, alpha=0.1)
        model(x).square().mean().backward()
        grads.append(model.blocks[0].fuse.weight.grad)
    torch.testing.assert_close(grads[0], grads[1])


def test_overfits_one_degraded_clean_pair():
    clean = torch.rand(1, 3, 32, 32)
    degraded = (clean + 0.3 * torch.rand_like(clean)).clamp(0, 1)
    model = LFDN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(100):
        loss = torch.nn.functional.mse_loss(model(degraded), clean)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if losses[-1] < losses[0] / 10:
            break
    print(f'overfit loss {losses[0]:.4g} -> {losses[-1]:.4g} in {len(losses)} steps')
    assert losses[-1] < losses[0] / 10
