from .hooks import MetricsDumpHook, RestoredImageSaverHook

__all__ = ['MetricsDumpHook', 'RestoredImageSaverHook']
