from .metrics_dump_hook import MetricsDumpHook
from .restored_image_saver_hook import RestoredImageSaverHook

__all__ = ['MetricsDumpHook', 'RestoredImageSaverHook']
