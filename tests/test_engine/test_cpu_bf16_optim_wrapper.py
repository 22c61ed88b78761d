import pytest
import torch

from lfdn_mm.engine.optimizers import CPUBF16OptimWrapper, cpu_has_native_bf16
from lfdn_mm.engine.optimizers import cpu_bf16_optim_wrapper as module


@pytest.mark.parametrize('flags,expected', [('fpu avx2 avx512f', False),
                                            ('fpu avx2 avx512f avx512_bf16', True),
                                            ('fpu amx_bf16 amx_tile', True)])
def test_native_bf16_is_read_from_the_cpu_flags(tmp_path, flags, expected):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text(f'processor\t: 0\nflags\t\t: {flags}\n')
    assert cpu_has_native_bf16(str(cpuinfo)) is expected
    assert cpu_has_native_bf16(str(tmp_path / 'missing')) is False


def test_wrapper_refuses_a_cpu_without_native_bf16(monkeypatch):
    monkeypatch.setattr(module, 'cpu_has_native_bf16', lambda: False)
    model = torch.nn.Conv2d(3, 3, 3)
    with pytest.raises(RuntimeError, match='no native bf16.*10x slower'):
        CPUBF16OptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_wrapper_runs_the_forward_in_bf16_and_keeps_fp32_weights():
    model = torch.nn.Conv2d(3, 3, 3)
    before = model.weight.detach().clone()
    wrapper = CPUBF16OptimWrapper(check_hardware=False,
                                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        out = model(torch.rand(1, 3, 8, 8))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().square().mean())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(model.weight, before)
