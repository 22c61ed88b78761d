from .atomic_local_backend import AtomicLocalBackend
from .hooks import MetricsDumpHook, NonFiniteLossHook, RestoredImageSaverHook

__all__ = ['AtomicLocalBackend', 'MetricsDumpHook', 'NonFiniteLossHook',
           'RestoredImageSaverHook']
