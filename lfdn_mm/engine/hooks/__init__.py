from .fast_forms_hook import FastFormsHook
from .metrics_dump_hook import MetricsDumpHook
from .non_finite_loss_hook import NonFiniteLossHook
from .restored_image_saver_hook import RestoredImageSaverHook

__all__ = ['FastFormsHook', 'MetricsDumpHook', 'NonFiniteLossHook', 'RestoredImageSaverHook']
