"""Restore image files with an MMagic editing config and checkpoint (LFDN or any other).

Images go through the model's own data preprocessor and generator, optionally in tiles and
with x8 self-ensemble (:mod:`lfdn_mm.models.tiling`). 8- and 16-bit images keep their depth,
grayscale images are restored as three equal channels and written back as grayscale, and
the alpha channel of RGBA images is kept unchanged. Checkpoints are read with
``weights_only=True`` (:func:`lfdn_mm.utils.load_checkpoint_file`).
"""
import glob
import io
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from mmagic.apis import init_model
from mmagic.structures import DataSample
from mmengine.logging import MMLogger
from mmengine.runner import load_state_dict
from mmengine.utils import ProgressBar
from PIL import Image

from ..engine.optimizers import cpu_has_native_bf16
from ..models.lfdn_editor import options_from_test_cfg
from ..models.local_statistics import tlc_window, use_local_statistics
from ..models.memory_format import to_channels_last
from ..models.tiling import check_tile_settings, restore_tensor
from ..pretrained import pretrained_checkpoint, pretrained_config
from ..utils import CheckpointError, load_checkpoint_file, tensor_to_image, write_image

IMAGE_SUFFIXES = ('.bmp', '.jpeg', '.jpg', '.png', '.ppm', '.pgm', '.tif', '.tiff', '.webp')
#: ITU-R BT.601 luma weights, to turn a restored RGB image back into grayscale.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)
JPEG_START = b'\xff\xd8\xff'
#: The tile side suggested when a whole image does not fit in memory.
SUGGESTED_TILE = 512
#: How torch's allocators (CPU, CUDA, MPS) say they ran out of memory, in lower case.
OUT_OF_MEMORY_PHRASES = ("can't allocate memory", 'out of memory')


class ImageReadError(ValueError):
    """An input file that is not a decodable image."""


class ImageTooLargeError(RuntimeError):
    """An image whose restoration ran out of memory."""


def default_device():
    """``'cuda'`` when a GPU is available, else ``'cpu'``."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def load_weights(model, checkpoint):
    """Load the ``state_dict`` of ``checkpoint`` into ``model`` (``weights_only=True``).

    Raises:
        MissingCheckpointError: ``checkpoint`` does not exist (a ``FileNotFoundError``).
        CheckpointError: It is corrupt, holds objects that are not weights, or does not fit
            ``model``.
    """
    path = Path(checkpoint)
    loaded = load_checkpoint_file(path)
    state_dict = loaded.get('state_dict', loaded) if isinstance(loaded, dict) else None
    if not isinstance(state_dict, dict):
        raise CheckpointError(f'checkpoint {path} holds no state_dict')
    try:
        load_state_dict(model, state_dict, strict=True)
    except RuntimeError as error:
        raise CheckpointError(f'checkpoint {path} does not fit the model: {error}') from error


PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}


def check_precision(precision, device):
    """Raise ``ValueError`` unless ``precision`` runs natively (and fast) on ``device``."""
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {tuple(PRECISIONS)}, got {precision!r}')
    if precision == 'fp32' or str(device).startswith('cuda'):
        return
    if precision == 'fp16':
        raise ValueError('precision fp16 needs a CUDA GPU; on the CPU use fp32, or bf16 where '
                         'the CPU has native bf16')
    if not cpu_has_native_bf16():
        raise ValueError('precision bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX); '
                         'this one has none, so bf16 would run about 10x slower than fp32')


def prepare_for_inference(restorer, device):
    """The fastest exact path for ``device``: 2-D convolutions in channels_last (CPU and
    CUDA) and cuDNN's autotuner on CUDA. Outputs stay those of plain fp32 up to rounding."""
    to_channels_last(restorer.generator)
    if str(device).startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    return restorer


def check_backend(backend, device, precision, local_statistics):
    from .onnx_backend import BACKENDS
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {", ".join(BACKENDS)}, got {backend!r}')
    if backend == 'pytorch':
        return
    if str(device).startswith('cuda'):
        raise ValueError("backend 'onnxruntime' runs on the CPU; use device 'cpu' or the "
                         "'pytorch' backend on the GPU")
    if precision != 'fp32':
        raise ValueError(f"backend 'onnxruntime' runs in fp32 only, not {precision}")
    if local_statistics is not None:
        raise ValueError("local statistics (TLC) need the 'pytorch' backend")


def init_restorer(config=None, checkpoint=None, device=None, model=None, precision='fp32',
                  fast=True, local_statistics=None, backend='pytorch'):
    """Build the model of ``config``, load ``checkpoint`` and put it in eval mode.

    Args:
        config (str | Config, optional): An MMagic config (path or object) with a ``model``.
        checkpoint (str, optional): Weights; None leaves the model randomly initialised.
        device (str, optional): ``'cpu'``, ``'cuda'``, ``'cuda:1'``...; default: a GPU when
            available.
        model (str, optional): A model shipped with the package (``'derain'``,
            ``'deblur'``; see ``lfdn-restore --list-models``) instead of config and
            checkpoint. Its checksum is verified first.
        precision (str): ``'fp32'``; ``'bf16'`` (CUDA, or a CPU with native bf16) or
            ``'fp16'`` (CUDA) run the generator under autocast, its attention in fp32.
        fast (bool): Convert to the fastest exact path for the device
            (:func:`prepare_for_inference`); False keeps plain contiguous fp32.
        local_statistics (int, optional): The training crop (pixels) of the checkpoint: the
            generator's instance norms and CCA layers then use windows of 1.5x that crop
            (TLC, :mod:`lfdn_mm.models.local_statistics`) instead of whole-image statistics.
        backend (str): ``'pytorch'``, or ``'onnxruntime'`` (CPU, fp32): the generator is
            exported to ONNX once, cached by the checkpoint's hash, and run by onnxruntime
            (:mod:`lfdn_mm.apis.onnx_backend`).

    Returns:
        BaseModel: The model, with the config as ``model.cfg`` (as ``mmagic.apis.init_model``).
    """
    if model is not None:
        if config is not None or checkpoint is not None:
            raise ValueError('give either model or config (and checkpoint), not both')
        config, checkpoint = pretrained_config(model), pretrained_checkpoint(model)
    elif config is None:
        raise ValueError('give a config (and checkpoint) or the name of a shipped model')
    device = device or default_device()
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise ValueError(f'device {device!r} requested but CUDA is not available here')
    check_precision(precision, device)
    check_backend(backend, device, precision, local_statistics)
    if isinstance(config, (str, Path)):
        if not Path(config).is_file():
            raise FileNotFoundError(f'config {config} does not exist')
        config = str(config)
    restorer = init_model(config, None, 'cpu')
    if checkpoint is not None:
        load_weights(restorer, checkpoint)
    restorer = restorer.to(device).eval()
    restorer.inference_precision = precision
    if local_statistics is not None:
        use_local_statistics(restorer.generator, tlc_window(local_statistics))
    if backend == 'onnxruntime':
        from .onnx_backend import use_onnxruntime
        return use_onnxruntime(restorer, checkpoint)
    return prepare_for_inference(restorer, device) if fast else restorer


def read_image(path):
    """Read ``path`` as an HxW, HxWx3 (RGB) or HxWx4 (RGBA) uint8/uint16 array."""
    data = Path(path).read_bytes()
    if not data:
        raise ImageReadError(f'{path}: empty file')
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None:
        raise ImageReadError(f'{path}: not a readable image (corrupt or unsupported format)')
    if data.startswith(JPEG_START):
        check_complete_jpeg(path, data)
    if image.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(f'{path}: unsupported pixel type {image.dtype} '
                             '(8- and 16-bit images are supported)')
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return image


def check_complete_jpeg(path, data):
    """Raise :class:`ImageReadError` for a truncated or damaged JPEG.

    OpenCV fills the missing part of a truncated JPEG with grey instead of failing; Pillow's
    decoder refuses it.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Image.DecompressionBombError:
        return  # larger than Pillow accepts; OpenCV has decoded it
    except Exception as error:  # any decoder failure means the data is damaged
        raise ImageReadError(f'{path}: truncated or corrupt JPEG ({error})') from None


def split_alpha(image):
    """Return ``(HxWx3 colour, alpha or None, is_gray)`` of an HxW[x1|3|4] image."""
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4):
        raise ValueError(f'expected an HxW, HxWx3 or HxWx4 image, got shape {image.shape}')
    if image.shape[2] == 1:
        return np.repeat(image, 3, axis=2), None, True
    alpha = image[..., 3] if image.shape[2] == 4 else None
    return image[..., :3], alpha, False


class _DropMissingTargetWarning(logging.Filter):
    """Hide the preprocessor's warning that an inference sample has no ground truth."""

    def filter(self, record):
        return "Cannot find key 'gt_img'" not in record.getMessage()


@contextmanager
def no_missing_target_warning():
    """Silence :class:`_DropMissingTargetWarning`'s message on mmengine's current logger."""
    logger = MMLogger.get_current_instance()
    log_filter = _DropMissingTargetWarning()
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)


def inference_options(model, tile_size=None, tile_overlap=None, ensemble=None):
    """Tile and ensemble options: the model's ``test_cfg`` overridden by the given values.

    ``tile_size=0`` turns tiling off even when ``test_cfg`` sets it.
    """
    options = options_from_test_cfg(getattr(model, 'test_cfg', None))
    if tile_size is not None:
        options['tile_size'] = tile_size or None
    if tile_overlap is not None:
        options['tile_overlap'] = tile_overlap
    if ensemble is not None:
        options['ensemble'] = bool(ensemble)
    if options['tile_size'] is not None:
        check_tile_settings(options['tile_size'], options['tile_overlap'], options['tile_mode'])
    return options


@torch.no_grad()
def predict_rgb(model, rgb, options):
    """Restore a 3xHxW RGB tensor in [0, 255]; returns the RGB result in [0, 255] on the CPU."""
    preprocessor = model.data_preprocessor
    sample = DataSample(metainfo=dict(img_channel_order='rgb'))
    with no_missing_target_warning():
        data = preprocessor(dict(inputs=[rgb], data_samples=[sample]))
    inputs = data['inputs']
    dtype = PRECISIONS[getattr(model, 'inference_precision', 'fp32')]
    with torch.autocast(inputs.device.type, dtype=dtype, enabled=dtype is not None):
        output = restore_tensor(model.generator, inputs, **options).float()
    bgr = preprocessor.destruct(output, data['data_samples'])[0]
    return bgr.flip(0).cpu()


def restore_image(model, image, tile_size=None, tile_overlap=None, ensemble=None):
    """Restore one image array; the result has the shape and dtype of ``image``.

    Args:
        model (BaseEditModel): From :func:`init_restorer` or ``mmagic.apis.init_model``.
        image (ndarray): HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA), uint8 or uint16.
        tile_size (int, optional): Tile side; default from ``test_cfg``; 0: whole image.
        tile_overlap (int, optional): Tile overlap; default from ``test_cfg`` (or 32).
        ensemble (bool, optional): x8 self-ensemble; default from ``test_cfg``.

    Returns:
        ndarray: The restored image.
    """
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f'restore_image expects uint8 or uint16 pixels, got {image.dtype}')
    options = inference_options(model, tile_size, tile_overlap, ensemble)
    colour, alpha, is_gray = split_alpha(image)
    scale = np.iinfo(image.dtype).max / 255
    rgb = torch.from_numpy(np.ascontiguousarray(colour)).permute(2, 0, 1).float() / scale
    restored = predict_rgb(model, rgb, options)
    if is_gray:
        luma = torch.tensor(LUMA_WEIGHTS).view(3, 1, 1)
        restored = (restored * luma).sum(0, keepdim=True)
    result = tensor_to_image(restored, image.dtype)
    if alpha is not None:
        result = np.dstack([result, alpha])
    return result.reshape(image.shape)


def collect_inputs(sources):
    """Expand image paths, folders and glob patterns into ``(images, skipped)``.

    Named files are always taken; folders (not recursively) and glob patterns contribute
    the files with an image suffix (:data:`IMAGE_SUFFIXES`); the other files and the
    sub-folders they hold are ``skipped``. Hidden files are ignored.
    """
    images, skipped = [], []

    def add_candidates(paths):
        for path in sorted(paths):
            if path.name.startswith('.'):
                continue
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(path)
            elif path.is_file() or path.is_dir():
                skipped.append(path)

    for source in map(str, sources):
        path = Path(source)
        if path.is_file():
            images.append(path)
        elif path.is_dir():
            add_candidates(path.iterdir())
        elif any(char in source for char in '*?['):
            matches = [Path(match) for match in glob.glob(source, recursive=True)]
            if not matches:
                raise FileNotFoundError(f'{source} matches no files')
            add_candidates(matches)
        else:
            raise FileNotFoundError(f'{source}: no such file or folder')
    unique = list({path.resolve(): path for path in images}.values())
    if not unique:
        raise FileNotFoundError(f'no images found in {", ".join(map(str, sources))}')
    return unique, skipped


def file_id(path):
    """The device and inode of ``path``: equal for links to the same file."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def plan_outputs(inputs, out_dir):
    """Pair every input with ``out_dir/<its name>``; refuse any plan that overwrites an input.

    Raises:
        ValueError: When ``out_dir`` holds an input, two inputs share a name, or an output
            path is an input file under another name (link).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f'output folder {out_dir} exists and is not a folder')
    input_ids = {file_id(path) for path in inputs}
    plan, sources_by_target = [], {}
    for path in inputs:
        if path.resolve().parent == out_dir.resolve():
            raise ValueError(f'output folder {out_dir} is the folder of input {path}: '
                             'refusing to overwrite inputs, choose another output folder')
        target = out_dir / path.name
        if target in sources_by_target:
            raise ValueError(f'{sources_by_target[target]} and {path} would both be written '
                             f'to {target}')
        if target.exists() and file_id(target) in input_ids:
            raise ValueError(f'output {target} is the input file {path}: refusing to '
                             'overwrite it')
        sources_by_target[target] = path
        plan.append((path, target))
    return plan


@dataclass
class RestoreReport:
    """What :func:`restore_files` did: ``(input, output)`` pairs, failures and skips."""

    restored: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self):
        """A few lines for the terminal."""
        total = len(self.restored) + len(self.failed)
        per_image = self.seconds / max(total, 1)
        lines = [f'restored {len(self.restored)} of {total} images in {self.seconds:.1f} s '
                 f'({per_image:.2f} s per image), {len(self.failed)} failed']
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


def restore_file(model, source, target, tile_size=None, tile_overlap=None, ensemble=None):
    """Read ``source``, restore it (see :func:`restore_image`) and write it to ``target``.

    Raises:
        ImageReadError: ``source`` is not a readable image.
        ImageTooLargeError: Restoring it ran out of memory; the message suggests tiles.
    """
    image = read_image(source)
    try:
        restored = restore_image(model, image, tile_size, tile_overlap, ensemble)
    except (MemoryError, RuntimeError) as error:
        if not is_out_of_memory(error):
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        used_tile = inference_options(model, tile_size, tile_overlap, ensemble)['tile_size']
        raise ImageTooLargeError(f'{source}: {out_of_memory_advice(image, used_tile)}') from None
    write_image(target, restored)


def restore_files(model, plan, tile_size=None, tile_overlap=None, ensemble=None,
                  progress=True):
    """Restore every ``(input, output)`` pair of ``plan`` (see :func:`plan_outputs`).

    Unreadable inputs and failed restorations (an image too large for the memory among them)
    are recorded and the rest go on. Outputs are written atomically, in the format of their
    suffix.

    Returns:
        RestoreReport: Restored and failed files and the elapsed time.
    """
    inference_options(model, tile_size, tile_overlap, ensemble)  # bad settings fail here
    report = RestoreReport()
    bar = ProgressBar(len(plan), file=sys.stderr) if progress else None
    start = time.perf_counter()
    for source, target in plan:
        try:
            restore_file(model, source, target, tile_size, tile_overlap, ensemble)
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
