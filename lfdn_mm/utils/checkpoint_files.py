"""Load checkpoints under ``weights_only=True`` only, and say clearly why one cannot be used.

Every checkpoint this project reads goes through :func:`load_checkpoint_file`: the restore and
export commands, :func:`lfdn_mm.apis.inference.init_restorer` and the shipped models'
``lfdn://NAME`` (:func:`lfdn_mm.pretrained.load_from_lfdn_scheme`) call it directly.
:func:`enable_safe_checkpoint_loading` (``lfdn_mm.enable_safe_checkpoint_loading()``; the
project's programs and configs importing :mod:`lfdn_mm.safe_checkpoints` call it) makes it
mmengine's loader for local files too, and :func:`load_url_weights_only` its loader for
``http(s)://`` URLs, which the Runner (``load_from``, ``--resume``, ``init_cfg``),
``mmagic.apis.init_model`` and MMagic's inferencers use. ``import lfdn_mm`` alone leaves
mmengine's loaders as they are. ``weights_only=True`` is passed explicitly, so no environment
variable can turn it off.
"""
import os.path as osp
import pickle
import re
from contextlib import contextmanager
from pathlib import Path

import torch
from mmengine.dist import get_dist_info
from mmengine.runner import CheckpointLoader

from .checkpoint_safety import allow_mmengine_checkpoints, allowing_mmengine_checkpoints

CHECKPOINT_NAME = re.compile(r'(?:iter|epoch)_(\d+)\.pth$')
#: Phrases (lower case) of the weights-only unpickler's refusals to build an object or call a
#: function; the last is :func:`lfdn_mm.utils.checkpoint_safety.history_buffer_method`'s.
REFUSAL_PHRASES = ('unsupported global', 'call reduce for unrecognized function',
                   'can only create new object', 'can only build', 'refusing getattr')
#: Where torch's weights-only errors say what went wrong, after their advice.
UNPICKLER_ERROR = 'WeightsUnpickler error:'


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, truncated, corrupt or not safe to unpickle."""


class MissingCheckpointError(CheckpointError, FileNotFoundError):
    """A checkpoint path that is not a file."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A checkpoint whose pickle asks for objects other than weights: it could run code."""


def previous_checkpoint(path):
    """The newest ``iter_N.pth`` / ``epoch_N.pth`` beside ``path`` older than it, or None."""
    path = Path(path)
    match = CHECKPOINT_NAME.search(path.name)
    current = int(match.group(1)) if match else float('inf')
    older = [(int(m.group(1)), p) for p in path.parent.glob('*.pth')
             if (m := CHECKPOINT_NAME.search(p.name)) and int(m.group(1)) < current]
    return str(max(older)[1]) if older else None


def load_checkpoint_file(path, map_location='cpu'):
    """Load ``path`` with ``torch.load(..., weights_only=True)``.

    Args:
        path (str | Path): Checkpoint file.
        map_location: As for ``torch.load``.

    Returns:
        The unpickled checkpoint (usually a dict with a ``state_dict``).

    Raises:
        MissingCheckpointError: ``path`` is not a file.
        UnsafeCheckpointError: The pickle refers to classes or functions that are not allowed.
        CheckpointError: The file is truncated or corrupt; the message names the previous
            checkpoint beside it.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingCheckpointError(f'checkpoint {path} does not exist')
    with explained_load_errors(path, local_file=True), allowing_mmengine_checkpoints():
        return torch.load(path, map_location=map_location, weights_only=True)


def check_checkpoint(path):
    """Load ``path`` as :func:`load_checkpoint_file` does; raise :class:`CheckpointError` if
    it cannot be used."""
    load_checkpoint_file(path)


@contextmanager
def explained_load_errors(source, local_file=False):
    """Turn the errors of loading ``source`` into :class:`CheckpointError` and its kinds.

    Args:
        source (str | Path): The checkpoint file or URL, for the messages.
        local_file (bool): Name the previous checkpoint beside a corrupt ``source``.
    """
    try:
        yield
    except pickle.UnpicklingError as error:
        refusal = unsafe_content(str(error))
        if refusal is None:
            raise corrupt(source, error, local_file) from None
        raise UnsafeCheckpointError(
            f'refusing to load checkpoint {source}: it holds pickled objects that are not '
            f'weights and could run code ({refusal})') from None
    except Exception as error:
        raise corrupt(source, error, local_file) from None


def unsafe_content(message):
    """The line of a weights-only refusal that names what was refused, or None."""
    for line in message.splitlines():
        if any(phrase in line.lower() for phrase in REFUSAL_PHRASES):
            refusal = line.strip().removeprefix(UNPICKLER_ERROR).strip()
            return refusal.split('. Please use')[0][:300]  # not torch's advice to allow it
    return None


def error_detail(error):
    """The error's type and the line that says what went wrong (not torch's advice)."""
    message = str(error)
    _, marker, reason = message.partition(UNPICKLER_ERROR)
    lines = [line.strip() for line in (reason if marker else message).splitlines()
             if line.strip()]
    return f'{type(error).__name__}: {lines[0][:200]}' if lines else type(error).__name__


def corrupt(source, error, local_file):
    hint = ''
    if local_file:
        previous = previous_checkpoint(source)
        hint = (f'; the previous checkpoint is {previous}' if previous
                else '; no earlier checkpoint was found beside it')
    return CheckpointError(f'checkpoint {source} is truncated or corrupt ({error_detail(error)})'
                           f'{hint}')


def load_from_local_weights_only(filename, map_location):
    """mmengine's loader for local paths, through :func:`load_checkpoint_file`."""
    return load_checkpoint_file(osp.expanduser(filename), map_location)


def load_url_weights_only(url, map_location=None, model_dir=None, progress=False):
    """mmengine's loader for ``http(s)://`` checkpoints, with ``weights_only=True``.

    mmengine's own loader reads downloads with ``torch.hub.load_state_dict_from_url``, whose
    ``weights_only`` defaults to False. As there, local rank 0 downloads first into torch's
    hub cache and the other ranks read the cached file after a barrier.
    """
    rank, world_size = get_dist_info()
    if rank == 0:
        checkpoint = download_and_load(url, map_location, model_dir, progress)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = download_and_load(url, map_location, model_dir, progress)
    return checkpoint


def download_and_load(url, map_location, model_dir, progress):
    with explained_load_errors(url), allowing_mmengine_checkpoints():
        return torch.hub.load_state_dict_from_url(url, model_dir=model_dir,
                                                  map_location=map_location,
                                                  progress=progress, weights_only=True)


def register_weights_only_loaders():
    """Make mmengine load local files and ``http(s)://`` URLs with ``weights_only=True``."""
    CheckpointLoader.register_scheme('', load_from_local_weights_only, force=True)
    CheckpointLoader.register_scheme(('http://', 'https://'), load_url_weights_only,
                                     force=True)


def enable_safe_checkpoint_loading():
    """Load every checkpoint of this process weights-only, mmengine's included: mmengine's
    loaders for local files and ``http(s)://`` become :func:`load_checkpoint_file` and
    :func:`load_url_weights_only`, and torch's allow-list gains what mmengine writes into a
    checkpoint besides tensors (:mod:`.checkpoint_safety`), so ``--resume`` works under
    ``weights_only=True``. Not done by ``import lfdn_mm``: the project's programs call it
    (``lfdn_mm.cli``), and configs get it from ``custom_imports`` of :mod:`lfdn_mm.safe_checkpoints`
    (``configs/_base_/lfdn_runtime.py``). Calling it again changes nothing more."""
    allow_mmengine_checkpoints()
    register_weights_only_loaders()
