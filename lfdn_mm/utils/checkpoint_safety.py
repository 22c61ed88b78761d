"""Let mmengine checkpoints load under torch's ``weights_only=True`` (torch >= 2.6).

mmengine 0.10.7 saves its message hub in every checkpoint: ``HistoryBuffer`` objects that hold
numpy arrays, numpy scalars, and the buffer's statistics methods, which pickle as
``getattr(HistoryBuffer, 'mean')``. Only those classes are allow-listed, and ``getattr`` is
replaced by a stand-in that resolves nothing but a public ``HistoryBuffer`` method; any other
pickled object or attribute is still refused. mmengine's loader for local files is replaced by
one that passes ``weights_only=True`` explicitly (:mod:`lfdn_mm.utils.checkpoint_files`).
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .checkpoint_files import register_weights_only_loaders


def history_buffer_method(owner, name):
    """Unpickling stand-in for ``getattr``: only ``HistoryBuffer``'s own public methods."""
    if owner is HistoryBuffer and not name.startswith('_') and name in vars(HistoryBuffer):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'refusing getattr({owner!r}, {name!r}) in a checkpoint: only the statistics methods '
        'of mmengine.logging.HistoryBuffer may be looked up while loading')


def mmengine_checkpoint_globals():
    """The classes and functions mmengine writes into a checkpoint besides tensors."""
    numpy_dtypes = {type(np.dtype(t)) for t in np.sctypeDict.values()}
    return [
        HistoryBuffer,
        np.ndarray,
        np.dtype,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        *sorted(numpy_dtypes, key=lambda cls: cls.__name__),
    ]


def allow_mmengine_checkpoints():
    """Register :func:`mmengine_checkpoint_globals` with ``torch.serialization`` and load
    mmengine's local checkpoints with ``weights_only=True`` explicitly."""
    torch.serialization.add_safe_globals(
        [*mmengine_checkpoint_globals(), (history_buffer_method, 'builtins.getattr')])
    register_weights_only_loaders()
