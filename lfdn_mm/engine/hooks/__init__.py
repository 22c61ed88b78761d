from .restored_image_saver_hook import RestoredImageSaverHook

__all__ = ['RestoredImageSaverHook']
