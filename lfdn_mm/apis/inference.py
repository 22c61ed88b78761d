"""Load a restorer from an MMagic editing config and checkpoint (LFDN or any other) and restore
image arrays with it; reading files is in :mod:`.image_files`, batches in :mod:`.batch_restore`.

Images go through the model's own data preprocessor and generator, optionally in tiles and
with a self-ensemble (:mod:`lfdn_mm.inference.tiling`). 8- and 16-bit images keep their depth,
grayscale images are restored as three equal channels and written back as grayscale, and
the alpha channel of RGBA images is kept unchanged. Checkpoints are read with
``weights_only=True`` (:func:`lfdn_mm.utils.load_checkpoint_file`).
"""
import logging
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from mmagic.apis import init_model
from mmagic.structures import DataSample
from mmengine.logging import MMLogger
from mmengine.runner import load_state_dict

from ..engine.optimizers import cpu_has_native_bf16
from ..inference.fast_forms import convert_for_inference, use_local_statistics
from ..inference.lfdn_editor import options_from_test_cfg
from ..inference.local_statistics import tlc_window
from ..inference.tiling import check_tile_settings, ensemble_name, restore_tensor
from ..models.presets import build_lfdn_preset
from ..pretrained import pretrained_checkpoint, pretrained_config, resolve_checkpoint
from ..utils import CheckpointError, load_checkpoint_file, tensor_to_image
from .memory_budget import default_budget, tile_for_budget
from . import onnx_backend
from .onnx_quantize import calibration_for, config_task, cpu_has_int8_acceleration

#: ITU-R BT.601 luma weights, to turn a restored RGB image back into grayscale.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def default_device():
    """``'cuda'`` when a GPU is available, else ``'cpu'``."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def load_weights(model, checkpoint):
    """Load the ``state_dict`` of ``checkpoint`` into ``model`` (``weights_only=True``).

    Not ``mmagic.apis.init_model(config, checkpoint)``: it loads with ``strict=False``, so a
    checkpoint of another model would load silently in part.

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


#: The autocast type of each precision (int8 runs in onnxruntime, without autocast)
PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16, 'fp16': torch.float16, 'int8': None}


def check_precision(precision, device):
    """Raise ``ValueError`` unless ``precision`` runs natively (and fast) on ``device``."""
    if precision not in PRECISIONS:
        raise ValueError(f'precision must be one of {tuple(PRECISIONS)}, got {precision!r}')
    if precision == 'int8':
        return check_int8(device)
    if precision == 'fp32' or str(device).startswith('cuda'):
        return
    if precision == 'fp16':
        raise ValueError('precision fp16 needs a CUDA GPU; on the CPU use fp32, or bf16 where '
                         'the CPU has native bf16')
    if not cpu_has_native_bf16():
        raise ValueError('precision bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX); '
                         'this one has none, so bf16 would run about 10x slower than fp32')


def check_int8(device):
    """Raise ``ValueError`` unless int8 (onnxruntime, :mod:`.onnx_quantize`) is faster than
    fp32 here: on the CPU, with onnxruntime and an int8 dot-product unit."""
    if str(device).startswith('cuda'):
        raise ValueError('precision int8 runs on the CPU (onnxruntime); on CUDA use fp16 or '
                         'bf16')
    if not onnx_backend.onnxruntime_available():
        raise ValueError('precision int8 needs onnxruntime (pip install onnxruntime)')
    if not cpu_has_int8_acceleration():
        raise ValueError('precision int8 needs a CPU with int8 dot-product instructions '
                         '(AVX512-VNNI, AVX-VNNI or AMX-INT8); this one has none, so int8 '
                         'would be no faster than fp32')


def prepare_for_inference(restorer, device, window=None):
    """The fastest exact path for ``device``: the generator's fast forms with its 2-D
    convolutions in channels_last (:func:`lfdn_mm.models.convert_for_inference`, CPU and
    CUDA) and cuDNN's autotuner on CUDA. Outputs stay those of plain fp32 up to rounding.

    Args:
        window (int, optional): Local-statistics window of the instance norms and CCA layers.
    """
    convert_for_inference(restorer.generator, window=window)
    if str(device).startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    return restorer


def check_backend(backend, device, precision, local_statistics):
    """Raise ``ValueError`` unless ``backend`` can run these settings; returns the backend
    that will run (``'auto'`` becomes ``'pytorch'`` where onnxruntime cannot take part)."""
    if backend not in onnx_backend.BACKENDS:
        raise ValueError(f'backend must be one of {", ".join(onnx_backend.BACKENDS)}, '
                         f'got {backend!r}')
    on_cuda = str(device).startswith('cuda')
    if precision == 'int8':
        return check_int8_backend(backend, local_statistics)
    if backend == 'auto':
        cpu_fp32 = not on_cuda and precision == 'fp32' and local_statistics is None
        return 'auto' if cpu_fp32 and onnx_backend.onnxruntime_available() else 'pytorch'
    if backend == 'pytorch':
        return backend
    if on_cuda:
        raise ValueError("backend 'onnxruntime' runs on the CPU; use device 'cpu' or the "
                         "'pytorch' backend on the GPU")
    if precision != 'fp32':
        raise ValueError(f"backend 'onnxruntime' runs in fp32 only (or int8), not {precision}")
    if local_statistics is not None:
        raise ValueError("local statistics (TLC) need the 'pytorch' backend")
    return backend


def check_int8_backend(backend, local_statistics):
    """int8 runs with onnxruntime only: ``'onnxruntime'``, or a ``ValueError``."""
    if backend == 'pytorch':
        raise ValueError("precision int8 runs with the onnxruntime backend, not 'pytorch' (nor "
                         'with fast=False)')
    if local_statistics is not None:
        raise ValueError("local statistics (TLC) need the 'pytorch' backend, not int8")
    return 'onnxruntime'


def init_restorer(config=None, checkpoint=None, device=None, model=None, precision='fp32',
                  fast=True, local_statistics=None, backend='auto', calibration=None):
    """Build the model of ``config``, load ``checkpoint`` and put it in eval mode.

    Args:
        config (str | Config, optional): An MMagic config (path or object) with a ``model``.
        checkpoint (str, optional): Weights: a file, or ``'lfdn://NAME'`` for the weights of
            a shipped model (checksum verified); None leaves the model randomly initialised.
        device (str, optional): ``'cpu'``, ``'cuda'``, ``'cuda:1'``...; default: a GPU when
            available.
        model (str, optional): A model shipped with the package (``'derain'``,
            ``'deblur'``; see ``lfdn-restore --list-models``) instead of config and
            checkpoint. Its checksum is verified first.
        precision (str): ``'fp32'``; ``'bf16'`` (CUDA, or a CPU with native bf16) or
            ``'fp16'`` (CUDA) run the generator under autocast, its attention in fp32;
            ``'int8'`` (a CPU with VNNI or AMX) runs it with onnxruntime, most convolutions
            and ALFM's MatMuls quantized (:mod:`lfdn_mm.apis.onnx_quantize`).
        fast (bool): Convert to the fastest exact path for the device
            (:func:`prepare_for_inference`); False keeps the plain modules, contiguous fp32
            (with ``local_statistics``, only the instance norms and CCA layers change form).
        local_statistics (int, optional): The training crop (pixels) of the checkpoint: the
            generator's instance norms and CCA layers then use windows of 1.5x that crop
            (TLC, :mod:`lfdn_mm.inference.local_statistics`) instead of whole-image statistics.
        backend (str): ``'auto'``: on the CPU in fp32, images of 1024x640 pixels or more go
            to onnxruntime (in tiles, with PyTorch's lean middle) and smaller ones to
            PyTorch, each where it measured faster; elsewhere PyTorch. ``'pytorch'``; or
            ``'onnxruntime'`` (CPU, fp32): the generator is exported to ONNX once, cached by
            the checkpoint's hash in the per-user cache (``$LFDN_MM_CACHE``, else
            ``$XDG_CACHE_HOME/lfdn_mm/onnx``, else ``~/.cache/lfdn_mm/onnx``), and run by
            onnxruntime (:mod:`lfdn_mm.apis.onnx_backend`).
            ``model.inference_backend`` says which runs. int8 always runs with onnxruntime.
        calibration (dict, optional): With ``precision='int8'``, what the quantization is
            calibrated on (:class:`lfdn_mm.apis.onnx_quantize.Calibration`: ``degradation``
            ``'rain'``/``'blur'``, ``data_root``, ``count``, ``size``, ``seed``); by default
            16 crops of 256 px of the held-out photographs in ``$LFDN_MM_CALIBRATION_DATA``
            (else ``data/clean``), degraded as the model's task says.

    Returns:
        BaseModel: The model, with the config as ``model.cfg`` (as ``mmagic.apis.init_model``).
    """
    if model is not None:
        if config is not None or checkpoint is not None:
            raise ValueError('give either model or config (and checkpoint), not both')
        config, checkpoint = pretrained_config(model), pretrained_checkpoint(model)
    elif config is None:
        raise ValueError('give a config (and checkpoint) or the name of a shipped model')
    else:
        checkpoint = resolve_checkpoint(checkpoint)
    device = device or default_device()
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise ValueError(f'device {device!r} requested but CUDA is not available here')
    check_precision(precision, device)
    backend = check_backend('pytorch' if backend == 'auto' and not fast else backend, device,
                            precision, local_statistics)
    if isinstance(config, (str, Path)):
        if not Path(config).is_file():
            raise FileNotFoundError(f'config {config} does not exist')
        config = str(config)
    window = None if local_statistics is None else tlc_window(local_statistics)
    restorer = init_model(config, None, 'cpu')
    if checkpoint is not None:
        load_weights(restorer, checkpoint)
    restorer = restorer.to(device).eval()
    restorer.inference_precision, restorer.inference_backend = precision, backend
    if backend == 'onnxruntime':  # exports the plain generator
        calibration = calibration_for(calibration, model or config_task(restorer.cfg)) \
            if precision == 'int8' else None
        return onnx_backend.use_onnxruntime(restorer, checkpoint, calibration=calibration)
    if backend == 'auto':
        restorer.generator_for = onnx_backend.OnnxRuntimeWhenLarge(restorer, checkpoint)
    if fast:
        return prepare_for_inference(restorer, device, window)
    if window is not None:
        use_local_statistics(restorer.generator, window)
    return restorer


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
        options['ensemble'] = ensemble_name(ensemble)
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
    generator_for = getattr(model, 'generator_for', None)
    generator = generator_for(*inputs.shape[-2:], tiled=bool(options['tile_size'])) \
        if generator_for else model.generator
    with torch.autocast(inputs.device.type, dtype=dtype, enabled=dtype is not None):
        output = restore_tensor(generator, inputs, **options).float()
    bgr = preprocessor.destruct(output, data['data_samples'])[0]
    return bgr.flip(0).cpu()


def restore_image(model, image, tile_size=None, tile_overlap=None, ensemble=None,
                  max_memory=None):
    """Restore one image array; the result has the shape and dtype of ``image``.

    Args:
        model (BaseEditModel): From :func:`init_restorer` or ``mmagic.apis.init_model``.
        image (ndarray): HxW (gray), HxWx3 (RGB) or HxWx4 (RGBA), uint8 or uint16.
        tile_size (int, optional): Tile side; default from ``test_cfg``, else exact tiles
            when the whole image would need more than ``max_memory``; 0: whole image.
        tile_overlap (int, optional): Tile overlap; default from ``test_cfg`` (or 32).
        ensemble (bool | str, optional): Self-ensemble, ``True``/``'x8'`` or ``'flips'``
            (:func:`lfdn_mm.inference.tiling.restore_tensor`); default from ``test_cfg``.
        max_memory (int, optional): Memory budget in bytes for choosing tiles
            (:mod:`lfdn_mm.apis.memory_budget`); default: half of the available memory.

    Returns:
        ndarray: The restored image.
    """
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f'restore_image expects uint8 or uint16 pixels, got {image.dtype}')
    options = inference_options(model, tile_size, tile_overlap, ensemble)
    if tile_size is None and options['tile_size'] is None:
        budget = default_budget() if max_memory is None else max_memory
        options['tile_size'] = tile_for_budget(*image.shape[:2], budget)
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


def load_generator(config=None, checkpoint=None, preset=None, seed=0):
    """The generator of ``config`` + ``checkpoint``, or a randomly initialised ``preset``."""
    if (config is None) == (preset is None):
        raise ValueError('give either a config (with its checkpoint) or a preset')
    if preset is not None:
        torch.manual_seed(seed)
        return build_lfdn_preset(preset).eval()
    return init_restorer(config, checkpoint, device='cpu', fast=False).generator.eval()
