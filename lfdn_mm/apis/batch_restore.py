"""Restoring many files: one image (or video, frame by frame) at a time with a progress bar,
out-of-memory advice, and a report of what was restored, skipped and failed."""
import sys
import time
from dataclasses import dataclass, field

import torch
from mmengine.utils import ProgressBar

from ..utils import write_image
from .image_files import ImageReadError, read_image
from .inference import inference_options, restore_image
from .video import (DEFAULT_CRF, VideoSupportMissing, count_frames, is_complete_video,
                    is_video_file, restore_video)

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
        per_file = self.seconds / max(total, 1)
        sources = [source for source, _ in self.restored] + [source for source, _ in self.failed]
        noun = 'files' if any(map(is_video_file, sources)) else 'images'
        lines = [f'restored {len(self.restored)} of {total} {noun} in {self.seconds:.1f} s '
                 f'({per_file:.2f} s per {noun[:-1]}), {len(self.failed)} failed']
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


def restore_or_advise(model, source, image, tile_size=None, tile_overlap=None, ensemble=None,
                      max_memory=None):
    """:func:`restore_image` of ``image`` (read from ``source``), out of memory turned into
    :class:`ImageTooLargeError` naming ``source`` and suggesting tiles."""
    try:
        return restore_image(model, image, tile_size, tile_overlap, ensemble, max_memory)
    except (MemoryError, RuntimeError) as error:
        if not is_out_of_memory(error):
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        used_tile = inference_options(model, tile_size, tile_overlap, ensemble)['tile_size']
        raise ImageTooLargeError(f'{source}: {out_of_memory_advice(image, used_tile)}') from None


def restore_file(model, source, target, tile_size=None, tile_overlap=None, ensemble=None,
                 max_memory=None, video_crf=DEFAULT_CRF, on_frame=None):
    """Read ``source``, restore it (see :func:`restore_image`) and write it to ``target``.

    A video (:func:`~lfdn_mm.apis.video.is_video_file`) is restored frame by frame with the
    same options (:func:`~lfdn_mm.apis.video.restore_video`).

    Args:
        video_crf (int): Quality of a video output: 0 lossless, else the H.264 (VP9 in
            ``.webm``) constant rate factor.
        on_frame (callable, optional): Called after each restored video frame.

    Raises:
        ImageReadError: ``source`` is not a readable image.
        VideoReadError: ``source`` has a video suffix but is not a complete, decodable video.
        VideoSupportMissing: ``source`` is a video and PyAV is not installed.
        ImageTooLargeError: Restoring it ran out of memory; the message suggests tiles.
    """
    if is_video_file(source):
        def restore_frame(frame):
            return restore_or_advise(model, source, frame, tile_size, tile_overlap, ensemble,
                                     max_memory)

        restore_video(source, target, restore_frame, video_crf, on_frame)
        return
    image = read_image(source)
    write_image(target, restore_or_advise(model, source, image, tile_size, tile_overlap,
                                          ensemble, max_memory))


def is_restored(target):
    """Whether ``target`` is a complete, readable image or video (a finished output)."""
    if is_video_file(target):
        return is_complete_video(target)
    try:
        read_image(target)
    except (OSError, ImageReadError):
        return False
    return True


def progress_steps(source):
    """Steps of ``source`` on the progress bar: a video's frames (as its header announces
    them), else 1."""
    if not is_video_file(source):
        return 1
    try:
        return max(count_frames(source), 1)
    except (OSError, ValueError, VideoSupportMissing):
        return 1  # restoring it fails and says why


class FileProgress:
    """An mmengine ProgressBar in frames over a plan (an image is one step), or nothing.

    Args:
        steps (list[int]): Steps of each file of the plan.
    """

    def __init__(self, steps, show=True):
        self.bar = ProgressBar(sum(steps), file=sys.stderr) if show else None
        self.left_in_file = 0

    def start_file(self, steps):
        self.left_in_file = steps

    def frame_done(self):
        """Advance one frame, never past the steps of the current file."""
        if self.bar is not None and self.left_in_file > 1:
            self.left_in_file -= 1
            self.bar.update()

    def file_done(self):
        if self.bar is not None and self.left_in_file > 0:
            self.bar.update(self.left_in_file)
        self.left_in_file = 0

    def close(self):
        if self.bar is not None:
            sys.stderr.write('\n')


def restore_files(model, plan, tile_size=None, tile_overlap=None, ensemble=None,
                  progress=True, skip_existing=False, max_memory=None, video_crf=DEFAULT_CRF):
    """Restore every ``(input, output)`` pair of ``plan`` (see :func:`plan_outputs`).

    Unreadable inputs and failed restorations (an image too large for the memory among them)
    are recorded and the rest go on. Outputs are written atomically (a temporary name, then a
    rename), in the format of their suffix, so an interrupted run leaves finished files only.
    Videos are restored frame by frame; the progress bar counts frames (an image is one).

    Args:
        skip_existing (bool): Leave pairs whose output is already a complete, readable image
            or video; an interrupted run started again does only what is left.
        max_memory (int, optional): Bytes an image may need before it is restored in exact
            tiles, when no tile size is given (see :func:`restore_image`).
        video_crf (int): Quality of video outputs (see :func:`restore_file`).

    Returns:
        RestoreReport: Restored, already restored and failed files and the elapsed time.
    """
    inference_options(model, tile_size, tile_overlap, ensemble)  # bad settings fail here
    report = RestoreReport()
    steps = [progress_steps(source) for source, _ in plan]
    bar = FileProgress(steps, show=progress)
    start = time.perf_counter()
    for (source, target), file_steps in zip(plan, steps):
        bar.start_file(file_steps)
        if skip_existing and is_restored(target):
            report.existing.append((source, target))
            bar.file_done()
            continue
        try:
            restore_file(model, source, target, tile_size, tile_overlap, ensemble, max_memory,
                         video_crf, on_frame=bar.frame_done)
            report.restored.append((source, target))
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            reason = str(error) if str(source) in str(error) else f'{source}: {error}'
            report.failed.append((source, reason))
        bar.file_done()
    bar.close()
    report.seconds = time.perf_counter() - start
    return report
