from .atomic_local_backend import AtomicLocalBackend
from .hooks import FastFormsHook, MetricsDumpHook, NonFiniteLossHook, RestoredImageSaverHook
from .optimizers import CPUBF16OptimWrapper, cpu_has_native_bf16

__all__ = ['AtomicLocalBackend', 'CPUBF16OptimWrapper', 'FastFormsHook',
           'MetricsDumpHook', 'NonFiniteLossHook', 'RestoredImageSaverHook',
           'cpu_has_native_bf16']
