from .atomic_local_backend import AtomicLocalBackend
from .hooks import (ChannelsLastHook, FastFormsHook, MetricsDumpHook, NonFiniteLossHook,
                    RestoredImageSaverHook)
from .optimizers import CPUBF16OptimWrapper, cpu_has_native_bf16

__all__ = ['AtomicLocalBackend', 'ChannelsLastHook', 'CPUBF16OptimWrapper', 'FastFormsHook',
           'MetricsDumpHook', 'NonFiniteLossHook', 'RestoredImageSaverHook', 'cpu_has_native_bf16']
