"""What int8 costs and gains: per layer group, on test pairs, and in time, against fp32.

Run by ``tools/analysis_tools/int8_report.py``; the numbers are in docs/inference.md. Every
comparison restores the same images with each restorer in turn (round-robin), in one process.
"""
import functools
import shutil
from pathlib import Path

import numpy as np
import torch
from mmagic.evaluation.metrics import psnr
from mmengine.utils import ProgressBar

from ...apis.inference import restore_image
from ...apis.onnx_backend import OnnxRuntimeStages
from ...apis.onnx_quantize import (INT8_GROUPS, LAYER_GROUPS, calibration_images,
                                   evaluation_pairs, quantize_graph, select_nodes, stage_inputs)
from ...utils import read_rgb
from ...utils.timing import round_robin

#: The scoring channel of each degradation (deraining on Y, deblurring on RGB)
CONVERT_TO = {'rain': 'Y', 'blur': None}


def candidate_groups():
    """``{label: groups}``: fp32, each layer group alone, every group, and the encoder and
    decoder convolutions alone, with FDNB's, and with ALFM's MatMul too (:data:`INT8_GROUPS`)."""
    candidates = {'none (fp32 graphs)': ()}
    candidates.update({name: (name, ) for name in LAYER_GROUPS})
    candidates['all groups'] = tuple(LAYER_GROUPS)
    combined = ('encoder convolutions (head, MSHF, 1x1)', 'decoder convolutions')
    for extra in ((), ('FDNB convolutions', ), ('FDNB convolutions', 'ALFM attention MatMul')):
        groups = (*combined, *extra)
        label = ' + '.join(['encoder + decoder convolutions', *extra])
        candidates[label + (' (chosen)' if set(groups) == set(INT8_GROUPS) else '')] = groups
    return candidates


def quantized_copy(fp32_paths, groups, inputs, folder):
    """The stage graphs with ``groups`` quantized, written to ``folder`` (fp32 copies for the
    stages without them)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for stage, path in fp32_paths.items():
        paths[stage] = folder / f'{stage}.onnx'
        if select_nodes(path, stage, groups)[1]:
            quantize_graph(path, paths[stage], stage, groups, inputs[stage])
        else:
            shutil.copyfile(path, paths[stage])
    return paths


def to_uint8(output):
    """A ``1x3xHxW`` [0, 1] tensor as an HxWx3 uint8 image."""
    return (output[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()


def run_stages(generator, image):
    """Restore an HxWx3 uint8 image with a stage generator, whole."""
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        return to_uint8(generator(x))


def time_ratio(candidate, reference, image, rounds):
    """Median over ``rounds`` of the time of ``candidate`` over that of ``reference``, each
    restoring ``image`` in turn (after one untimed warm-up each)."""
    times = round_robin({'candidate': lambda: run_stages(candidate, image),
                         'reference': lambda: run_stages(reference, image)}, rounds + 1)
    ratios = [c / r for c, r in zip(times['candidate'][1:], times['reference'][1:])]
    return float(np.median(ratios))


def layer_costs(generator, fp32_paths, calibration, folder, candidates=None, timing_image=None,
                rounds=2):
    """PSNR of each candidate set of quantized layer groups on the evaluation photographs.

    Args:
        generator (LFDN): The fp32 PyTorch generator of ``fp32_paths``.
        fp32_paths (dict): Its exported stage graphs.
        calibration (Calibration): Calibration settings (the evaluation photographs are the
            held-out ones it does not calibrate on).
        folder (Path): Where the quantized graphs are written.
        candidates (dict, optional): ``{label: groups}``; default :func:`candidate_groups`.
        timing_image (ndarray, optional): An image to time each candidate on, against the fp32
            graphs (:func:`time_ratio`, ``rounds`` rounds).

    Returns:
        list[dict]: Per candidate: ``label``, ``psnr`` (against the clean photographs),
        ``psnr_vs_fp32`` (against the fp32 graphs' output), ``quantized_nodes`` and, with
        ``timing_image``, ``time_ratio`` (against the fp32 graphs).
    """
    candidates = candidates or candidate_groups()
    inputs = stage_inputs(generator, calibration_images(calibration))
    pairs = evaluation_pairs(calibration)
    convert_to = CONVERT_TO[calibration.degradation]
    fp32 = OnnxRuntimeStages(fp32_paths, generator)
    reference = [run_stages(fp32, degraded) for _, degraded, _ in pairs]
    rows = []
    progress = ProgressBar(len(candidates))
    for index, (label, groups) in enumerate(candidates.items()):
        paths = quantized_copy(fp32_paths, groups, inputs, Path(folder) / f'candidate{index}')
        stages = OnnxRuntimeStages(paths, generator)
        restored = [run_stages(stages, degraded) for _, degraded, _ in pairs]
        nodes = sum(len(select_nodes(fp32_paths[s], s, groups)[1]) for s in fp32_paths)
        rows.append(dict(
            label=label, quantized_nodes=nodes,
            psnr=float(np.mean([psnr(out, clean, convert_to=convert_to)
                                for out, (_, _, clean) in zip(restored, pairs)])),
            psnr_vs_fp32=float(np.mean([psnr(out, ref, convert_to=convert_to)
                                        for out, ref in zip(restored, reference)]))))
        if timing_image is not None:
            rows[-1]['time_ratio'] = time_ratio(stages, fp32, timing_image, rounds)
        progress.update()
    return rows


def paired_folder(folder):
    """``(name, input, target)`` of a paired test set with ``input/`` and ``target/``."""
    folder = Path(folder)
    names = sorted(p.name for p in (folder / 'input').iterdir() if p.is_file())
    if not names:
        raise FileNotFoundError(f'no images in {folder / "input"}')
    return [(name, read_rgb(folder / 'input' / name), read_rgb(folder / 'target' / name))
            for name in names]


def compare_on_pairs(restorers, pairs, convert_to):
    """Mean PSNR of each of ``restorers`` (``{label: model}``) on ``pairs``, restoring each
    image with every restorer in turn, and of each against the first restorer's output."""
    scores = {label: [] for label in restorers}
    agreement = {label: [] for label in restorers}
    progress = ProgressBar(len(pairs))
    for _, degraded, clean in pairs:
        outputs = {label: restore_image(model, degraded) for label, model in restorers.items()}
        first = next(iter(outputs.values()))
        for label, output in outputs.items():
            scores[label].append(psnr(output, clean, convert_to=convert_to))
            agreement[label].append(psnr(output, first, convert_to=convert_to))
        progress.update()
    return {label: dict(psnr=float(np.mean(scores[label])),
                        psnr_vs_first=float(np.mean(agreement[label])))
            for label in restorers}


def time_round_robin(restorers, image, rounds=3):
    """Median seconds of ``restore_image`` of ``image`` with each of ``restorers``, run in
    turn ``rounds`` times after one untimed warm-up each."""
    calls = {label: functools.partial(restore_image, model, image)
             for label, model in restorers.items()}
    times = round_robin(calls, rounds + 1)
    return {label: float(np.median(seconds[1:])) for label, seconds in times.items()}
