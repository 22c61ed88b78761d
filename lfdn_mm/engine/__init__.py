from .atomic_local_backend import AtomicLocalBackend
from .hooks import FastFormsHook, MetricsDumpHook, NonFiniteLossHook, RestoredImageSaverHook
from .optimizers import CPUBF16OptimWrapper, cpu_has_native_bf16
from .runner import FastResumeIterBasedTrainLoop, skip_batches_without_loading

__all__ = ['AtomicLocalBackend', 'CPUBF16OptimWrapper', 'FastFormsHook',
           'FastResumeIterBasedTrainLoop', 'MetricsDumpHook', 'NonFiniteLossHook',
           'RestoredImageSaverHook', 'cpu_has_native_bf16', 'skip_batches_without_loading']
