"""Restoring many files: one image at a time with a progress bar, out-of-memory advice, and a
report of what was restored, skipped and failed."""
import sys
import time
from dataclasses import dataclass, field

import torch
from mmengine.utils import ProgressBar

from ..utils import write_image
from .image_files import ImageReadError, read_image
from .inference import inference_options, restore_image

#: The tile side suggested when a whole image does not fit in memory.
SUGGESTED_TILE = 512
#: How torch's allocators (CPU, CUDA, MPS) say they ran out of memory, in lower case.
OUT_OF_MEMORY_PHRASES = ("can't allocate memory", 'out of memory')


class ImageTooLargeError(RuntimeError):
    """An image whose restoration ran out of memory."""


@dataclass
class RestoreReport:
    """What :func:`restore_files` did: ``(input, output)`` pairs restored now and found
    restored before, failures and skips."""

    restored: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self):
        """A few lines for the terminal."""
        total = len(self.restored) + len(self.failed)
        per_image = self.seconds / max(total, 1)
        lines = [f'restored {len(self.restored)} of {total} images in {self.seconds:.1f} s '
                 f'({per_image:.2f} s per image), {len(self.failed)} failed']
        if self.existing:
            lines.append(f'skipped {len(self.existing)} already restored (complete, readable '
                         'outputs)')
        for reason, paths in skip_reasons(self.skipped).items():
            lines.append(f'skipped ({reason}): {", ".join(map(str, paths))}')
        lines += [f'failed: {reason}' for _, reason in self.failed]
        return '\n'.join(lines)


def skip_reasons(paths):
    """Group skipped ``paths`` by why they were not read."""
    reasons = {}
    for path in paths:
        reason = 'folder, not read recursively' if path.is_dir() else 'no image suffix'
        reasons.setdefault(reason, []).append(path)
    return reasons


def is_out_of_memory(error):
    """Whether ``error`` is a failed allocation of torch (CPU or GPU) or numpy."""
    if isinstance(error, (MemoryError, torch.OutOfMemoryError)):
        return True
    message = str(error).lower()
    return isinstance(error, RuntimeError) and any(phrase in message
                                                   for phrase in OUT_OF_MEMORY_PHRASES)


def out_of_memory_advice(image, tile_size):
    """What to do when restoring ``image`` ran out of memory."""
    height, width = image.shape[:2]
    if tile_size:
        advice = f'restore it in smaller tiles than {tile_size} (--tile {tile_size // 2})'
    else:
        advice = (f'restore it in tiles: --tile {SUGGESTED_TILE} on the command line, '
                  f'tile_size={SUGGESTED_TILE} in Python')
    return f'out of memory restoring a {width}x{height} image; {advice}'


def restore_file(model, source, target, tile_size=None, tile_overlap=None, ensemble=None,
                 max_memory=None):
    """Read ``source``, restore it (see :func:`restore_image`) and write it to ``target``.

    Raises:
        ImageReadError: ``source`` is not a readable image.
        ImageTooLargeError: Restoring it ran out of memory; the message suggests tiles.
    """
    image = read_image(source)
    try:
        restored = restore_image(model, image, tile_size, tile_overlap, ensemble, max_memory)
    except (MemoryError, RuntimeError) as error:
        if not is_out_of_memory(error):
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        used_tile = inference_options(model, tile_size, tile_overlap, ensemble)['tile_size']
        raise ImageTooLargeError(f'{source}: {out_of_memory_advice(image, used_tile)}') from None
    write_image(target, restored)


def is_restored(target):
    """Whether ``target`` is a complete, readable image (a finished output)."""
    try:
        read_image(target)
    except (OSError, ImageReadError):
        return False
    return True


def restore_files(model, plan, tile_size=None, tile_overlap=None, ensemble=None,
                  progress=True, skip_existing=False, max_memory=None):
    """Restore every ``(input, output)`` pair of ``plan`` (see :func:`plan_outputs`).

    Unreadable inputs and failed restorations (an image too large for the memory among them)
    are recorded and the rest go on. Outputs are written atomically (a temporary name, then a
    rename), in the format of their suffix, so an interrupted run leaves finished files only.

    Args:
        skip_existing (bool): Leave pairs whose output is already a complete, readable image;
            an interrupted run started again does only what is left.
        max_memory (int, optional): Bytes an image may need before it is restored in exact
            tiles, when no tile size is given (see :func:`restore_image`).

    Returns:
        RestoreReport: Restored, already restored and failed files and the elapsed time.
    """
    inference_options(model, tile_size, tile_overlap, ensemble)  # bad settings fail here
    report = RestoreReport()
    bar = ProgressBar(len(plan), file=sys.stderr) if progress else None
    start = time.perf_counter()
    for source, target in plan:
        if skip_existing and is_restored(target):
            report.existing.append((source, target))
            if bar is not None:
                bar.update()
            continue
        try:
            restore_file(model, source, target, tile_size, tile_overlap, ensemble, max_memory)
            report.restored.append((source, target))
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            reason = str(error) if str(source) in str(error) else f'{source}: {error}'
            report.failed.append((source, reason))
        if bar is not None:
            bar.update()
    if bar is not None:
        sys.stderr.write('\n')
    report.seconds = time.perf_counter() - start
    return report
