"""Run a restorer's generator with onnxruntime: exported once, cached by the weights' hash.

``init_restorer(..., backend='onnxruntime')`` (``lfdn-restore --backend onnxruntime``) swaps
the generator for :class:`OnnxRuntimeGenerator`. The export is kept in a per-user cache
(:func:`user_cache_dir`: ``$LFDN_MM_CACHE``, else ``$XDG_CACHE_HOME/lfdn_mm/onnx``, else
``~/.cache/lfdn_mm/onnx``), never beside the checkpoint or in the package, under a name made of
the SHA-256 of the checkpoint file and of the generator config, so a second start loads it at
once and changed weights never meet a stale graph.

``backend='auto'`` (the default on the CPU) keeps the PyTorch fast path for small images and
hands images of :data:`AUTO_MIN_PIXELS` or more to onnxruntime, where it measured faster
(docs/benchmarks.md); the export then happens on the first such image
(:class:`OnnxRuntimeWhenLarge`). In tiles, the middle (the one stage that
runs on the whole 1/4-scale map) stays with PyTorch's lean form, which needs far less memory
(measured in docs/inference.md).

A generator with LFDN's local/global/local stages (``encode``, ``fuse``, ``decode``) is
exported as three graphs, one per stage, and keeps the tile-invariant tiling of
:mod:`lfdn_mm.inference.tile_invariance`; any other generator is exported whole and tiled with
blended tiles.
"""
import copy
import hashlib
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..inference.tile_invariance import stage_halos, supports_tile_invariance
from ..pretrained import sha256
from . import onnx_quantize
from .onnx_export import export_onnx

BACKENDS = ('auto', 'pytorch', 'onnxruntime')
#: Under ``backend='auto'``, images of at least this many pixels (1024x640) go to onnxruntime:
#: it measured level with or faster than PyTorch from 1280x720 up and slower below
#: (docs/benchmarks.md).
AUTO_MIN_PIXELS = 1024 * 640
STAGES = ('encode', 'fuse', 'decode')
OPSET = 17


def cache_key(checkpoint, generator_cfg):
    """Hash of the weights file and of the generator config (and the opset)."""
    weights = sha256(checkpoint) if checkpoint else 'random'
    config = json.dumps(generator_cfg, sort_keys=True, default=str)
    return hashlib.sha256(f'{weights}|{config}|opset{OPSET}'.encode()).hexdigest()[:20]


def user_cache_dir():
    """The folder of the exports, read from the environment at each call: ``$LFDN_MM_CACHE``
    if set, else ``$XDG_CACHE_HOME/lfdn_mm/onnx``, else ``~/.cache/lfdn_mm/onnx``."""
    if os.environ.get('LFDN_MM_CACHE'):
        return Path(os.environ['LFDN_MM_CACHE']).expanduser()
    xdg_cache = os.environ.get('XDG_CACHE_HOME')
    base = Path(xdg_cache) if xdg_cache else Path.home() / '.cache'
    return base / 'lfdn_mm' / 'onnx'


def cache_path(checkpoint, generator_cfg, cache_dir=None, part='generator'):
    """Where the export of ``checkpoint`` (its generator, or one stage ``part``) lives:
    ``cache_dir``, else :func:`user_cache_dir`."""
    stem = Path(checkpoint).stem if checkpoint else 'random'
    name = f'{stem}.{cache_key(checkpoint, generator_cfg)}.{part}.onnx'
    return Path(cache_dir or user_cache_dir()) / name


def session(path, threads=None):
    """An onnxruntime CPU session of ``path`` with ``threads`` (default: torch's count)."""
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    return onnxruntime.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])


def run_session(onnx_session, x):
    (output, ) = onnx_session.run(None, {'input': x.detach().float().cpu().numpy()})
    return torch.from_numpy(np.ascontiguousarray(output)).to(x.device)


class OnnxRuntimeGenerator(nn.Module):
    """A generator exported whole, run by an onnxruntime session on the CPU.

    Inputs with a side below ``min_side`` (the exported reflection padding needs more pixels
    than that) are restored by the PyTorch ``fallback`` instead.

    Args:
        paths (dict): ``{'generator': path}`` of the exported graph.
        fallback (nn.Module): The PyTorch generator it was exported from.
        sessions (dict, optional): Sessions of ``paths`` already open, to share.
    """

    def __init__(self, paths, fallback, sessions=None):
        super().__init__()
        self.paths = {part: str(path) for part, path in paths.items()}
        self.sessions = sessions or {part: session(path) for part, path in paths.items()}
        self.fallback = fallback
        self.min_side = getattr(fallback, 'stride', 2) // 2 + 1

    def forward(self, x):
        if min(x.shape[-2:]) < self.min_side:
            return self.fallback(x)
        return run_session(self.sessions['generator'], x)


class OnnxRuntimeStages(OnnxRuntimeGenerator):
    """LFDN's three stages, each an onnxruntime session; padding, cropping and the global
    residual stay in PyTorch, as in ``LFDN.forward``, so every input size works and the
    tile-invariant tiling applies.

    Args:
        paths (dict): The exported graph of each of :data:`STAGES`.
        fallback (LFDN): The PyTorch generator they were exported from.
        sessions (dict, optional): Sessions of ``paths`` already open, to share.
        pytorch_middle (bool): Run ``fuse`` with ``fallback`` (its lean form after
            ``convert_for_inference``) instead of its session: for tiles, where the middle
            runs on the whole 1/4-scale map and the lean form needs far less memory.
    """

    def __init__(self, paths, fallback, sessions=None, pytorch_middle=False):
        super().__init__(paths, fallback, sessions)
        self.pytorch_middle = pytorch_middle
        self.stride = fallback.stride
        self.global_residual = getattr(fallback, 'global_residual', False)

    @property
    def _tile_invariant_halos(self):
        return stage_halos(self.fallback)

    def encode(self, x):
        return run_session(self.sessions['encode'], x)

    def fuse(self, feat):
        if self.pytorch_middle:
            return self.fallback.fuse(feat)
        return run_session(self.sessions['fuse'], feat)

    def decode(self, fused):
        return run_session(self.sessions['decode'], fused)

    def pad(self, x):
        return self.fallback.pad(x)

    def forward(self, x):
        height, width = x.shape[-2:]
        out = self.decode(self.fuse(self.encode(self.pad(x))))[..., :height, :width]
        return x + out if self.global_residual else out


class Stage(nn.Module):
    """One stage method of a network as a module, for the export."""

    def __init__(self, network, name):
        super().__init__()
        self.network, self.name = network, name

    def forward(self, x):
        return getattr(self.network, self.name)(x)


def export_stages(network, paths):
    """Export each of :data:`STAGES` of ``network`` to ``paths[stage]``."""
    example = torch.rand(1, network.head.in_channels, 3 * network.stride, 4 * network.stride)
    with torch.no_grad():
        for name in STAGES:
            export_onnx(Stage(network, name).eval(), paths[name], OPSET, example=example)
            example = getattr(network, name)(example)


def onnxruntime_generator(generator, generator_cfg, checkpoint, cache_dir=None, log=print,
                          calibration=None):
    """The onnxruntime form of ``generator``, exported when not cached (from a contiguous copy
    in its plain forms, so the graph is the same whichever form ``generator`` is in); in int8
    when ``calibration`` (:class:`.onnx_quantize.Calibration`) is given, quantized when not
    cached (:func:`.onnx_quantize.quantize_stages`)."""
    generator = generator.eval()
    generator_cfg = generator_cfg.to_dict() if hasattr(generator_cfg, 'to_dict') else generator_cfg
    staged = supports_tile_invariance(generator)
    if calibration is not None and not staged:
        raise ValueError('precision int8 needs an LFDN generator (its encode, fuse and decode '
                         f'stages), not {type(generator).__name__}')
    parts = STAGES if staged else ('generator', )
    paths = {part: cache_path(checkpoint, generator_cfg, cache_dir, part) for part in parts}
    if not all(path.is_file() for path in paths.values()):
        log(f'exporting the generator to {paths[parts[0]].parent} (once for these weights)')
        contiguous = copy.deepcopy(generator).to(memory_format=torch.contiguous_format)
        if staged:
            export_stages(contiguous, paths)
        else:
            export_onnx(contiguous, paths['generator'], opset=OPSET)
    if calibration is not None:
        paths = onnx_quantize.quantize_stages(generator, paths, calibration, log=log)
    wrapper = OnnxRuntimeStages if staged else OnnxRuntimeGenerator
    return wrapper(paths, generator)


def use_onnxruntime(restorer, checkpoint, cache_dir=None, log=print, calibration=None):
    """Replace ``restorer.generator`` by its onnxruntime form (int8 with ``calibration``),
    exporting (and quantizing) it when not cached."""
    restorer.generator = onnxruntime_generator(restorer.generator, restorer.cfg.model.generator,
                                               checkpoint, cache_dir, log, calibration)
    return restorer


def onnxruntime_available():
    """Whether onnxruntime is installed (found, not imported: no start-up cost)."""
    return importlib.util.find_spec('onnxruntime') is not None


class OnnxRuntimeWhenLarge:
    """The generator to restore an image with under ``backend='auto'``: below ``min_pixels``
    the restorer's own (PyTorch) one; from there its onnxruntime form (made on first use), for
    tiles with the 1/4-scale middle left to PyTorch's lean form (``pytorch_middle``).

    Args:
        restorer (BaseModel): A restorer with its PyTorch fast path.
        checkpoint (str, optional): Its weights file, the key of the export cache.
        min_pixels (int): The smallest image (height x width) given to onnxruntime.
    """

    def __init__(self, restorer, checkpoint, min_pixels=AUTO_MIN_PIXELS):
        self.restorer, self.checkpoint, self.min_pixels = restorer, checkpoint, min_pixels
        self.large = self.tiled = None

    def __call__(self, height, width, tiled=False):
        if height * width < self.min_pixels:
            return self.restorer.generator
        if self.large is None:
            self.large = onnxruntime_generator(self.restorer.generator,
                                               self.restorer.cfg.model.generator, self.checkpoint)
        if not tiled or not isinstance(self.large, OnnxRuntimeStages):
            return self.large
        if self.tiled is None:
            self.tiled = OnnxRuntimeStages(self.large.paths, self.restorer.generator,
                                           self.large.sessions, pytorch_middle=True)
        return self.tiled
