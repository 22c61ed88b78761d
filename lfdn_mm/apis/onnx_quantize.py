"""int8 inference: LFDN's exported stages quantized statically by onnxruntime (QDQ).

``init_restorer(..., precision='int8')`` (``lfdn-restore --precision int8``) runs the three
stage graphs of :mod:`.onnx_backend` with the layers of :data:`INT8_GROUPS` (the encoder's,
FDNBs' and decoder's convolutions and ALFM's MatMuls) in int8 (per-channel int8 weights, uint8
activations, ``QuantFormat.QDQ``) and every other layer in fp32: instance norms, softmax, ACFM
and the 1x1 layers on pooled vectors gain no time in int8 or lose it. Chosen per layer group
by the PSNR and the time each costs (:func:`lfdn_mm.cli.analysis.int8.layer_costs`, the table
in docs/inference.md).

The activation ranges are calibrated on held-out synthetic validation images, never on a test
set: crops of the validation photographs of ``CleanImageDataset`` (every tenth photograph of
the clean-photo folder) under freshly drawn rain or camera blur, the degradations the shipped
starters are validated on (:class:`Calibration`). Those photographs are split in two: even
positions calibrate, odd positions evaluate (:func:`held_out_photos`). The quantized graphs
are cached beside the fp32 exports, named by the export and a key of the calibration settings
and the quantized groups, so a second start loads them without calibrating again.

int8 is only faster than fp32 where the CPU has int8 dot-product instructions (VNNI or AMX);
:func:`cpu_has_int8_acceleration` reads them from ``/proc/cpuinfo``.
"""
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..datasets.clean_image_dataset import CleanImageDataset
from ..datasets.transforms import SynthesizeCameraBlur, SynthesizeRain
from ..utils import atomic_path, read_rgb
from ..utils.cpuinfo import cpuinfo_field
from ..utils.project_files import project_root

#: ``/proc/cpuinfo`` flags of int8 dot-product units (onnxruntime's int8 kernels use them)
INT8_FLAGS = ('avx512_vnni', 'avx_vnni', 'amx_int8')
#: The degradations calibration images are made with, by name
DEGRADATIONS = {'rain': SynthesizeRain, 'blur': SynthesizeCameraBlur}
#: The degradation of a task (a shipped model's name, or a config's ``task_name``)
TASK_DEGRADATIONS = {'derain': 'rain', 'deraining': 'rain', 'deblur': 'blur',
                     'deblurring': 'blur'}
#: The seed of the configs' validation degradations, used for the evaluation images
VALIDATION_SEED = 2021
CALIBRATION_DATA_ENV = 'LFDN_MM_CALIBRATION_DATA'

#: Layer groups of LFDN's stage graphs: ``name: (stage, ONNX op type, node-name pattern)``
LAYER_GROUPS = {
    'encoder convolutions (head, MSHF, 1x1)': ('encode', 'Conv', r''),
    'FDNB convolutions': ('fuse', 'Conv', r'/blocks\.\d+/(distill|refine|last|fuse)'),
    'CCA excitation (1x1)': ('fuse', 'Conv', r'/cca/'),
    'instance norms': ('fuse', 'InstanceNormalization', r''),
    'ALFM attention MatMul': ('fuse', 'MatMul', r'/alfm/'),
    'ALFM softmax': ('fuse', 'Softmax', r'/alfm/'),
    'ALFM 1x1 reduction': ('fuse', 'Conv', r'/alfm/reduce'),
    'ACFM (Conv3d)': ('fuse', 'Conv', r'/acfm/'),
    'decoder convolutions': ('decode', 'Conv', r''),
}
#: The groups run in int8; every other layer stays fp32 (docs/inference.md, "int8")
INT8_GROUPS = ('encoder convolutions (head, MSHF, 1x1)', 'FDNB convolutions',
               'ALFM attention MatMul', 'decoder convolutions')


def cpu_has_int8_acceleration(cpuinfo='/proc/cpuinfo'):
    """Whether the CPU lists an int8 dot-product unit (:data:`INT8_FLAGS`) in its flags."""
    flags = (cpuinfo_field('flags', cpuinfo) or '').split()
    return any(flag in flags for flag in INT8_FLAGS)


def default_calibration_root():
    """``$LFDN_MM_CALIBRATION_DATA``, else the checkout's ``data/clean``."""
    if os.environ.get(CALIBRATION_DATA_ENV):
        return Path(os.environ[CALIBRATION_DATA_ENV]).expanduser()
    try:
        return project_root() / 'data' / 'clean'
    except FileNotFoundError:
        return Path('data/clean')


@dataclass(frozen=True)
class Calibration:
    """What int8 activation ranges are calibrated on.

    Args:
        degradation (str): ``'rain'`` (``SynthesizeRain``) or ``'blur'``
            (``SynthesizeCameraBlur``), drawn afresh on each crop.
        data_root (str, optional): A folder of clean photographs; its validation split is
            used (:func:`held_out_photos`). Default: :func:`default_calibration_root`.
        count (int): Number of crops.
        size (int): Crop side in pixels.
        seed (int): Seed of the crop positions and of the degradations.
    """
    degradation: str
    data_root: str = None
    count: int = 16
    size: int = 256
    seed: int = 0

    def __post_init__(self):
        if self.degradation not in DEGRADATIONS:
            raise ValueError(f'int8 calibration: degradation must be one of '
                             f'{tuple(DEGRADATIONS)}, got {self.degradation!r}')
        for name in ('count', 'size'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'int8 calibration: {name} must be a positive int, got {value!r}')
        root = Path(self.data_root) if self.data_root else default_calibration_root()
        if not root.is_dir():
            raise FileNotFoundError(
                f'int8 calibration needs a folder of clean photographs, {root} is none: set '
                f'${CALIBRATION_DATA_ENV} to one (its validation split is used)')
        object.__setattr__(self, 'data_root', str(root))


def calibration_for(calibration, task=None):
    """A :class:`Calibration` from ``calibration`` (one, a dict of its arguments, or None) and
    the model's ``task`` (``'derain'``, ``'deblurring'``...) for the degradation."""
    if isinstance(calibration, Calibration):
        return calibration
    settings = dict(calibration or {})
    if 'degradation' not in settings:
        if task not in TASK_DEGRADATIONS:
            raise ValueError('precision int8 calibrates on synthetic rain or blur, and the model '
                             f'does not say which (task {task!r}): pass '
                             "calibration=dict(degradation='rain' or 'blur')")
        settings['degradation'] = TASK_DEGRADATIONS[task]
    return Calibration(**settings)


def config_task(cfg):
    """The ``task_name`` of a config's validation data (``'deraining'``...), or None."""
    dataset = (cfg.get('val_dataloader') or {}).get('dataset') or {}
    return (dataset.get('metainfo') or {}).get('task_name')


def held_out_photos(data_root, role):
    """The validation photographs of ``data_root`` for ``role``: ``'calibration'`` (even
    positions) or ``'evaluation'`` (odd positions), as paths."""
    dataset = CleanImageDataset(str(data_root), split='val', pipeline=[])
    paths = [Path(dataset.get_data_info(i)['gt_path']) for i in range(len(dataset))]
    if len(paths) < 2:
        raise ValueError(f'int8 calibration: {data_root} has {len(paths)} validation '
                         'photograph(s); at least 2 are needed (one to calibrate, one to '
                         'evaluate), i.e. 20 photographs')
    return paths[0::2] if role == 'calibration' else paths[1::2]


def degrade(photo, name, degradation, seed):
    """``(degraded, clean)`` uint8 RGB images: ``photo`` under ``degradation`` seeded by
    ``seed`` and ``name``."""
    sample = DEGRADATIONS[degradation](seed=seed).transform(dict(gt=photo, gt_path=name))
    return sample['img'], sample['gt']


def random_crop(image, size, rng):
    """A ``size`` crop of ``image`` at a random place (reflect-padded when smaller)."""
    pad = [(0, max(0, size - image.shape[0])), (0, max(0, size - image.shape[1])), (0, 0)]
    image = np.pad(image, pad, mode='reflect') if any(p[1] for p in pad[:2]) else image
    top = rng.integers(0, image.shape[0] - size + 1)
    left = rng.integers(0, image.shape[1] - size + 1)
    return np.ascontiguousarray(image[top:top + size, left:left + size])


def calibration_images(calibration):
    """The degraded calibration crops, float32 ``1x3xSxS`` arrays in [0, 1]."""
    photos = held_out_photos(calibration.data_root, 'calibration')
    rng = np.random.default_rng(calibration.seed)
    crops = []
    for index in range(calibration.count):
        path = photos[index % len(photos)]
        crop = random_crop(read_rgb(path), calibration.size, rng)
        degraded, _ = degrade(crop, f'{path.name}#{index}', calibration.degradation,
                              calibration.seed)
        crops.append(degraded.transpose(2, 0, 1)[None].astype(np.float32) / 255)
    return crops


def evaluation_pairs(calibration):
    """``(name, degraded, clean)`` of the evaluation photographs under the degradation of the
    configs' validation (seed :data:`VALIDATION_SEED`): none of them is calibrated on."""
    pairs = []
    for path in held_out_photos(calibration.data_root, 'evaluation'):
        degraded, clean = degrade(read_rgb(path), path.name, calibration.degradation,
                                  VALIDATION_SEED)
        pairs.append((path.name, degraded, clean))
    return pairs


def int8_key(calibration, groups):
    """Hash of the calibration settings, the degradation's transform, its photographs (names
    and sizes), the quantized groups and the onnxruntime version."""
    import onnxruntime
    photos = [(p.name, p.stat().st_size)
              for p in held_out_photos(calibration.data_root, 'calibration')]
    transform = DEGRADATIONS[calibration.degradation]
    settings = {**asdict(calibration), 'data_root': photos, 'groups': sorted(groups),
                'transform': f'{transform.__module__}.{transform.__qualname__}',
                'onnxruntime': onnxruntime.__version__}
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def int8_path(fp32_path, key):
    """The quantized graph of ``fp32_path``, beside it: ``<stem>.int8-<key>.onnx``."""
    fp32_path = Path(fp32_path)
    return fp32_path.with_name(f'{fp32_path.stem}.int8-{key}.onnx')


def stage_inputs(generator, images):
    """The input of each of LFDN's stages for each image, as the fp32 generator makes them."""
    inputs = {'encode': [], 'fuse': [], 'decode': []}
    with torch.no_grad():
        for image in images:
            x = generator.pad(torch.from_numpy(image))
            for stage in ('encode', 'fuse', 'decode'):
                inputs[stage].append(x.numpy())
                x = getattr(generator, stage)(x)
    return inputs


def select_nodes(path, stage, groups):
    """``(op types, nodes to quantize, nodes to keep in fp32)`` of graph ``path`` (stage
    ``stage``) for ``groups`` (names of :data:`LAYER_GROUPS`)."""
    import onnx
    chosen = [LAYER_GROUPS[name] for name in groups if LAYER_GROUPS[name][0] == stage]
    op_types = sorted({op_type for _, op_type, _ in chosen})
    quantized, kept = [], []
    for node in onnx.load(str(path)).graph.node:
        if node.op_type not in op_types:
            continue
        matches = any(node.op_type == op_type and re.search(pattern, node.name)
                      for _, op_type, pattern in chosen)
        (quantized if matches else kept).append(node.name)
    return op_types, quantized, kept


def feed_reader(arrays):
    """An onnxruntime ``CalibrationDataReader`` over a list of input arrays."""
    from onnxruntime.quantization import CalibrationDataReader

    class FeedReader(CalibrationDataReader):

        def __init__(self):
            self.feeds = iter([{'input': array} for array in arrays])

        def get_next(self):
            return next(self.feeds, None)

    return FeedReader()


def quantize_graph(fp32_path, out_path, stage, groups, inputs):
    """Write ``fp32_path`` with ``groups``' layers of ``stage`` quantized (QDQ, per-channel
    int8 weights, uint8 activations calibrated on ``inputs`` with min/max) to ``out_path``
    (atomically)."""
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    op_types, _, kept = select_nodes(fp32_path, stage, groups)
    with atomic_path(out_path) as tmp:
        quantize_static(str(fp32_path), str(tmp), feed_reader(inputs),
                        quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        op_types_to_quantize=op_types, nodes_to_exclude=kept)
    return out_path


def quantize_stages(generator, fp32_paths, calibration, groups=INT8_GROUPS, log=print):
    """The graphs to run in int8: for each stage of ``fp32_paths`` with layers of ``groups``,
    its quantized copy (cached beside it; made once, calibrated on
    :func:`calibration_images`); the fp32 graph itself for the others.

    Args:
        generator (LFDN): The fp32 PyTorch generator the graphs were exported from.
        fp32_paths (dict): ``{stage: path}`` of :data:`.onnx_backend.STAGES`.
        calibration (Calibration): What to calibrate on.
        groups (tuple): Names of :data:`LAYER_GROUPS` to quantize.
        log (callable): Told when a calibration runs.
    """
    unknown = sorted(set(groups) - set(LAYER_GROUPS))
    if unknown:
        raise ValueError(f'unknown int8 layer groups {unknown}; known: {list(LAYER_GROUPS)}')
    key = int8_key(calibration, groups)
    quantized = [stage for stage, path in fp32_paths.items()
                 if select_nodes(path, stage, groups)[1]]
    paths = {stage: int8_path(path, key) if stage in quantized else Path(path)
             for stage, path in fp32_paths.items()}
    missing = [stage for stage in quantized if not paths[stage].is_file()]
    if missing:
        log(f'calibrating int8 on {calibration.count} crops of {calibration.size} px with '
            f'synthetic {calibration.degradation} (once for these weights and settings)')
        inputs = stage_inputs(generator, calibration_images(calibration))
        for stage in missing:
            quantize_graph(fp32_paths[stage], paths[stage], stage, groups, inputs[stage])
    return paths
