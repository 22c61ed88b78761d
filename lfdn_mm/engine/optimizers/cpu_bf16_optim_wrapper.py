"""``CPUBF16OptimWrapper``: bf16 autocast training on CPUs with native bf16 (AVX512-BF16, AMX).

MMEngine's ``AmpOptimWrapper`` asserts a GPU. On a CPU with bf16 units the same autocast
makes convolutions about twice as fast; without them it is about ten times slower, so the
wrapper refuses such a CPU. bf16 keeps fp32's exponent range, so no loss scaling is needed.
"""
from contextlib import contextmanager

import torch
from mmengine.registry import OPTIM_WRAPPERS
from mmengine.optim import OptimWrapper

from ...utils.cpuinfo import cpuinfo_field


def cpu_has_native_bf16(cpuinfo='/proc/cpuinfo'):
    """Whether the CPU lists a native bf16 unit (``avx512_bf16`` or ``amx_bf16``) in its flags."""
    flags = (cpuinfo_field('flags', cpuinfo) or '').split()
    return any(flag in flags for flag in ('avx512_bf16', 'amx_bf16'))


@OPTIM_WRAPPERS.register_module()
class CPUBF16OptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward passes run under ``torch.autocast('cpu', bfloat16)``.

    Args:
        check_hardware (bool): Refuse a CPU without native bf16 (where autocast is slower
            than fp32). Default: True.
        **kwargs: The arguments of ``OptimWrapper``.
    """

    def __init__(self, check_hardware=True, **kwargs):
        if check_hardware and not cpu_has_native_bf16():
            raise RuntimeError(
                'CPUBF16OptimWrapper: this CPU has no native bf16 (AVX512-BF16 or AMX); bf16 '
                'would run about 10x slower than fp32 here. Use OptimWrapper (fp32).')
        super().__init__(**kwargs)

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast('cpu', dtype=torch.bfloat16):
            yield
