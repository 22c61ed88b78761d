"""Let mmengine checkpoints load under torch's ``weights_only=True`` (torch >= 2.6).

mmengine 0.10.7 saves its message hub in every checkpoint: ``HistoryBuffer`` objects that hold
numpy arrays, numpy scalars, and the buffer's statistics methods, which pickle as
``getattr(HistoryBuffer, 'mean')``. Only those classes are allow-listed, and ``getattr`` is
replaced by a stand-in that resolves nothing but a public ``HistoryBuffer`` method; any other
pickled object or attribute is still refused. The project's own loads allow them only for their
duration (:func:`allowing_mmengine_checkpoints`); :func:`lfdn_mm.enable_safe_checkpoint_loading`
allows them process-wide, for mmengine's loaders.
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


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


def mmengine_safe_globals():
    """:func:`mmengine_checkpoint_globals` and the ``getattr`` stand-in, as
    ``torch.serialization`` takes them."""
    return [*mmengine_checkpoint_globals(), (history_buffer_method, 'builtins.getattr')]


def allowing_mmengine_checkpoints():
    """A context in which ``torch.load(..., weights_only=True)`` reads mmengine checkpoints;
    torch's allow-list is as before once it ends (what was allowed before stays allowed)."""
    allowed = torch.serialization.get_safe_globals()
    return torch.serialization.safe_globals(
        [entry for entry in mmengine_safe_globals() if entry not in allowed])


def allow_mmengine_checkpoints():
    """Add :func:`mmengine_safe_globals` to torch's allow-list for the whole process."""
    torch.serialization.add_safe_globals(mmengine_safe_globals())
