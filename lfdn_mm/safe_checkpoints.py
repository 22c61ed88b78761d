"""Weights-only checkpoint loading, asked for by importing this module.

A config asks for it with ``custom_imports = dict(imports=['lfdn_mm',
'lfdn_mm.safe_checkpoints'])`` (``configs/_base_/lfdn_runtime.py`` does), so every program that
reads the config, ``mmagic.apis.init_model`` included, loads ``load_from``, ``--resume`` and
explicit checkpoints weights-only before anything is loaded
(:func:`lfdn_mm.enable_safe_checkpoint_loading`). ``import lfdn_mm`` alone leaves mmengine's
loaders as they are.
"""
from .utils import enable_safe_checkpoint_loading

enable_safe_checkpoint_loading()
