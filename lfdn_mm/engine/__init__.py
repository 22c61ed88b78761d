from .hooks import RestoredImageSaverHook

__all__ = ['RestoredImageSaverHook']
