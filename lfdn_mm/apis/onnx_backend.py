"""Run a restorer's generator with onnxruntime: exported once, cached by the weights' hash.

``init_restorer(..., backend='onnxruntime')`` (``lfdn-restore --backend onnxruntime``) swaps
the generator for :class:`OnnxRuntimeGenerator`. The export is kept next to the checkpoint
(or in ``~/.cache/lfdn_mm/onnx`` where that folder is read-only) under a name made of the
SHA-256 of the checkpoint file and of the generator config, so a second start loads it at once
and changed weights never meet a stale graph.
"""
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .onnx_export import export_onnx

BACKENDS = ('pytorch', 'onnxruntime')
OPSET = 17
USER_CACHE = Path(os.environ.get('XDG_CACHE_HOME', Path.home() / '.cache')) / 'lfdn_mm' / 'onnx'


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def cache_key(checkpoint, generator_cfg):
    """Hash of the weights file and of the generator config (and the opset)."""
    weights = file_sha256(checkpoint) if checkpoint else 'random'
    config = json.dumps(generator_cfg, sort_keys=True, default=str)
    return hashlib.sha256(f'{weights}|{config}|opset{OPSET}'.encode()).hexdigest()[:20]


def cache_path(checkpoint, generator_cfg, cache_dir=None):
    """Where the export of ``checkpoint`` lives: ``cache_dir``, else beside the checkpoint
    when that folder is writable, else the user cache."""
    stem = Path(checkpoint).stem if checkpoint else 'random'
    name = f'{stem}.{cache_key(checkpoint, generator_cfg)}.onnx'
    if cache_dir is None:
        beside = Path(checkpoint).parent if checkpoint else None
        cache_dir = beside if beside is not None and os.access(beside, os.W_OK) else USER_CACHE
    return Path(cache_dir) / name


class OnnxRuntimeGenerator(nn.Module):
    """A generator run by an onnxruntime ``InferenceSession`` on the CPU.

    Inputs with a side below ``min_side`` (the exported reflection padding needs more pixels
    than that) are restored by the PyTorch ``fallback`` instead.

    Args:
        path (str): The exported ``.onnx`` file.
        fallback (nn.Module): The PyTorch generator it was exported from.
        threads (int, optional): onnxruntime intra-op threads (default: torch's thread count).
    """

    def __init__(self, path, fallback, threads=None):
        super().__init__()
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=['CPUExecutionProvider'])
        self.path = str(path)
        self.fallback = fallback
        self.min_side = getattr(fallback, 'stride', 2) // 2 + 1

    def forward(self, x):
        if min(x.shape[-2:]) < self.min_side:
            return self.fallback(x)
        (output, ) = self.session.run(None, {'input': x.detach().float().cpu().numpy()})
        return torch.from_numpy(np.ascontiguousarray(output)).to(x.device)


def use_onnxruntime(restorer, checkpoint, cache_dir=None, log=print):
    """Replace ``restorer.generator`` by its onnxruntime form, exporting it when not cached."""
    generator_cfg = restorer.cfg.model.generator
    generator_cfg = generator_cfg.to_dict() if hasattr(generator_cfg, 'to_dict') else generator_cfg
    path = cache_path(checkpoint, generator_cfg, cache_dir)
    if not path.is_file():
        log(f'exporting the generator to {path} (once for these weights)')
        export_onnx(restorer.generator.eval(), path, opset=OPSET)
    restorer.generator = OnnxRuntimeGenerator(path, restorer.generator)
    return restorer
