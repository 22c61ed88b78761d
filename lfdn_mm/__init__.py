"""LFDN for MMagic.

Importing this package (directly or through ``custom_imports`` in a config) registers
the LFDN models in MMagic's registries and lets mmengine checkpoints load under torch's
``weights_only=True``.
"""
from . import datasets, engine, models
from .utils import allow_mmengine_checkpoints
from .version import __version__

allow_mmengine_checkpoints()

__all__ = ['models', '__version__']
