"""LFDN for MMagic.

Importing this package (directly or through ``custom_imports`` in a config) registers
the LFDN models in MMagic's registries, lets mmengine checkpoints load under torch's
``weights_only=True`` and resolves the shipped weights as ``lfdn://NAME``. The known
import-time warnings of MMagic's dependencies are filtered
(:mod:`lfdn_mm.third_party_warnings`).
"""
from .third_party_warnings import hide_third_party_warnings

hide_third_party_warnings()

import torch  # noqa: E402
from mmengine.utils import digit_version  # noqa: E402

if digit_version(torch.__version__) < digit_version('2.5.0'):
    raise ImportError(f'lfdn_mm needs torch >= 2.5 (weights-only checkpoint loading with '
                      f'torch.serialization.add_safe_globals); this is torch {torch.__version__}')

from . import datasets, engine, inference, models  # noqa: E402, F401 (register the modules)
from .pretrained import register_lfdn_scheme  # noqa: E402
from .utils import allow_mmengine_checkpoints  # noqa: E402
from .version import __version__  # noqa: E402

allow_mmengine_checkpoints()
register_lfdn_scheme()

__all__ = ['models', '__version__']
