"""LFDN for MMagic.

Importing this package (directly or through ``custom_imports`` in a config) registers the LFDN
models, datasets, transforms and hooks in MMagic's registries and resolves the shipped weights
as ``lfdn://NAME`` (a new checkpoint scheme of mmengine; no existing one changes). Nothing else
outside the package changes:

- mmengine's checkpoint loaders and torch's weights-only allow-list stay as they are until
  :func:`enable_safe_checkpoint_loading` is called; the project's programs (``tools/*.py``,
  ``lfdn-restore``, through :mod:`lfdn_mm.cli`) and its configs
  (``custom_imports`` of ``lfdn_mm.safe_checkpoints``, as ``configs/_base_/lfdn_runtime.py``
  does) call it;
- the known import-time warnings of MMagic's dependencies
  (:mod:`lfdn_mm.third_party_warnings`) are hidden only while this package imports them; the
  warning filters are as before once the import ends. The programs hide them for their whole
  run.
"""
import warnings

from .third_party_warnings import hide_third_party_warnings

with warnings.catch_warnings():
    hide_third_party_warnings()

    import torch
    from mmengine.utils import digit_version

    if digit_version(torch.__version__) < digit_version('2.5.0'):
        raise ImportError(f'lfdn_mm needs torch >= 2.5 (weights-only checkpoint loading with '
                          f'torch.serialization.add_safe_globals); this is torch '
                          f'{torch.__version__}')

    from . import datasets, engine, inference, models  # noqa: F401 (register the modules)
    from .pretrained import register_lfdn_scheme
    from .utils import enable_safe_checkpoint_loading
    from .version import __version__

register_lfdn_scheme()

__all__ = ['models', 'inference', 'enable_safe_checkpoint_loading', '__version__']
