"""Check a checkpoint before a run depends on it, and point at the previous one if it is bad."""
import pickle
import re
from pathlib import Path

import torch

CHECKPOINT_NAME = re.compile(r'(?:iter|epoch)_(\d+)\.pth$')


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, truncated, corrupt or not safe to unpickle."""


def previous_checkpoint(path):
    """The newest ``iter_N.pth`` / ``epoch_N.pth`` beside ``path`` older than it, or None."""
    path = Path(path)
    match = CHECKPOINT_NAME.search(path.name)
    current = int(match.group(1)) if match else float('inf')
    older = [(int(m.group(1)), p) for p in path.parent.glob('*.pth')
             if (m := CHECKPOINT_NAME.search(p.name)) and int(m.group(1)) < current]
    return str(max(older)[1]) if older else None


def check_checkpoint(path):
    """Load ``path`` under ``weights_only=True``; raise :class:`CheckpointError` if it fails."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f'checkpoint {path} does not exist')
    try:
        torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as error:
        refusal = unsafe_content(str(error))
        if refusal is None:
            raise corrupt(path, error) from None
        raise CheckpointError(f'refusing to load checkpoint {path}: it holds pickled objects '
                              f'that are not weights and could run code ({refusal})') from None
    except Exception as error:
        raise corrupt(path, error) from None


def unsafe_content(message):
    """The line of a weights-only refusal that names what was refused, or None."""
    for line in message.splitlines():
        if 'Unsupported global' in line:
            return line.strip()[:300]
    return None


def corrupt(path, error):
    previous = previous_checkpoint(path)
    hint = (f'; the previous checkpoint is {previous}' if previous
            else '; no earlier checkpoint was found beside it')
    first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else ''
    return CheckpointError(f'checkpoint {path} is truncated or corrupt '
                           f'({type(error).__name__}: {first_line}){hint}')
