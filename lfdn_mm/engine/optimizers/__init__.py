from .cpu_bf16_optim_wrapper import CPUBF16OptimWrapper, cpu_has_native_bf16

__all__ = ['CPUBF16OptimWrapper', 'cpu_has_native_bf16']
