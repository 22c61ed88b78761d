"""Let mmengine checkpoints load under torch's ``weights_only=True`` (torch >= 2.6).

mmengine 0.10.7 saves its message hub in every checkpoint: ``HistoryBuffer`` objects that
hold numpy arrays, and numpy scalars. Only those classes are allow-listed; any other pickled
object is still refused.
"""
import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def mmengine_checkpoint_globals():
    """The classes and functions mmengine writes into a checkpoint besides tensors."""
    numpy_dtypes = [type(np.dtype(t)) for t in np.sctypeDict.values()]
    return [
        HistoryBuffer,
        np.ndarray,
        np.dtype,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        *sorted(set(numpy_dtypes), key=lambda cls: cls.__name__),
    ]


def allow_mmengine_checkpoints():
    """Register :func:`mmengine_checkpoint_globals` with ``torch.serialization``."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
