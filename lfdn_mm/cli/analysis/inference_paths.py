"""The restore command's inference paths timed side by side: plain, default, onnxruntime, bf16.

Every path is a restorer from :func:`lfdn_mm.apis.init_restorer` run through
``restore_image`` (the code ``lfdn-restore`` runs), timed round-robin in one process so
machine load hits all of them alike, and compared with plain fp32 in time, in PSNR of the
8-bit outputs and against a floor: the model's MACs at the machine's peak fp32 rate.
"""
import os
from functools import partial

import cv2
import numpy as np
from mmagic.evaluation.metrics import psnr

from ...apis import init_restorer, restore_image
from ...engine.optimizers import cpu_has_native_bf16
from ...utils.cpuinfo import cpuinfo_field
from .measure import count_macs, machine_info, round_robin, size_label, summarise_latency
from .report import markdown_table, plt, save_figure

#: name -> ``init_restorer`` keyword arguments; ``default`` is what ``lfdn-restore`` uses.
PATHS = {
    'plain': dict(fast=False),
    'default': dict(),
    'channels_last': dict(backend='pytorch'),
    'onnxruntime': dict(backend='onnxruntime'),
    'bf16': dict(precision='bf16'),
}


def offered_paths(names, device='cpu'):
    """``names`` less the reduced-precision ones this CPU has no native support for."""
    return [name for name in names
            if name != 'bf16' or device != 'cpu' or cpu_has_native_bf16()]


def peak_fp32_flops(threads):
    """Peak fp32 FLOP/s of ``threads`` cores (two FMA units of the widest vector per core):
    ``flops`` (None when the clock is unknown) and the ``assumption`` behind it."""
    flags = set((cpuinfo_field('flags') or '').split())
    lanes = 16 if 'avx512f' in flags else 8 if 'avx2' in flags else 4
    megahertz = cpuinfo_field('cpu MHz')
    clock = float(megahertz) / 1e3 if megahertz else None
    per_cycle = 2 * 2 * lanes  # two FMA units, two FLOPs per lane and FMA
    flops = threads * clock * 1e9 * per_cycle if clock else None
    return dict(flops=flops, assumption=(
        f'{threads} cores x {clock} GHz (/proc/cpuinfo) x {per_cycle} FLOPs per cycle '
        f'({lanes} fp32 lanes, 2 FMA units)'))


def test_image(size, seed=0):
    """A smooth random RGB image of ``size`` (height, width): cheap and not constant."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (max(size[0] // 16, 2), max(size[1] // 16, 2), 3), np.uint8)
    return cv2.resize(small, (size[1], size[0]), interpolation=cv2.INTER_CUBIC)


def build_paths(config, checkpoint, model, names, device='cpu'):
    """One restorer per path name."""
    weights = dict(model=model) if model else dict(config=config, checkpoint=checkpoint)
    return {name: init_restorer(device=device, **weights, **PATHS[name]) for name in names}


def measure_paths(restorers, sizes, tile_for, repeats, log=print):
    """Time every path (``'plain'`` first) at every size round-robin and score its output
    against plain; ``tile_for(size)`` gives the tile size (0: whole images), ``repeats(size)``
    the timed passes. Returns one record per path and size."""
    records = []
    for size in sizes:
        image, tile = test_image(size), tile_for(size)
        outputs = {name: restore_image(r, image, tile_size=tile) for name, r in restorers.items()}
        times = round_robin({name: partial(restore_image, restorer, image, tile)
                             for name, restorer in restorers.items()}, repeats(size))
        for name, seconds in times.items():
            latency, output, plain = summarise_latency(seconds), outputs[name], outputs['plain']
            records.append(dict(path=name, size=size_label(size), tile_size=tile,
                                latency_ms=latency, psnr_vs_plain=psnr(output, plain),
                                identical_pixels=float(np.mean(output == plain))))
            log(f"{size_label(size)} {name}: {latency['median'] / 1e3:.2f} s")
    return records


def add_ratios(records, macs, peak):
    """Each time as a ratio to plain at the same size and to the MAC floor (``macs``: size
    label -> MACs of one pass)."""
    plain = {r['size']: r['latency_ms']['median'] for r in records if r['path'] == 'plain'}
    for record in records:
        median = record['latency_ms']['median']
        record['ratio_to_plain'] = median / plain[record['size']]
        floor = 2 * macs[record['size']] / peak['flops'] if peak['flops'] else None
        record['floor_ms'] = floor * 1e3 if floor else None
        record['ratio_to_floor'] = median / 1e3 / floor if floor else None
    return records


def run_path_benchmark(config=None, checkpoint=None, model=None, names=tuple(PATHS),
                       sizes=((256, 256), (720, 1280)), tile_for=lambda size: 0,
                       repeats=lambda size: 5, log=print):
    """Build the offered paths and measure them on the CPU; returns a JSON-ready dict."""
    names = offered_paths(['plain', *[n for n in names if n != 'plain']])
    restorers = build_paths(config, checkpoint, model, names)
    records = measure_paths(restorers, sizes, tile_for, repeats, log)
    machine = machine_info('cpu')
    peak = peak_fp32_flops(machine['torch_threads'])
    macs = {size_label(s): count_macs(restorers['plain'].generator, s) for s in sizes}
    add_ratios(records, macs, peak)
    machine['load_average_after'] = [round(v, 2) for v in os.getloadavg()]
    return dict(machine=machine, peak_fp32=peak, paths=names, macs=macs, results=records)


def paths_table(result):
    """The measurement as a Markdown table."""
    rows = [[r['size'] + (f" (tiles {r['tile_size']})" if r['tile_size'] else ''), r['path'],
             f"{r['latency_ms']['median'] / 1e3:.3f}", f"{r['ratio_to_plain']:.2f}",
             '-' if r['ratio_to_floor'] is None else f"{r['ratio_to_floor']:.1f}",
             f"{r['psnr_vs_plain']:.1f}", f"{100 * r['identical_pixels']:.2f}"]
            for r in result['results']]
    return markdown_table(['image', 'path', 'median s', 'x plain', 'x MAC floor',
                           'PSNR vs plain (dB, 8-bit)', 'identical 8-bit pixels (%)'], rows)


def plot_paths(result, path):
    """Each path's time as a ratio to plain, one group of bars per image size."""
    figure, axis = plt.subplots(figsize=(6.4, 3.2))
    sizes = list(dict.fromkeys(r['size'] for r in result['results']))
    width = 0.8 / len(result['paths'])
    for index, name in enumerate(result['paths']):
        ratios = {r['size']: r['ratio_to_plain'] for r in result['results'] if r['path'] == name}
        axis.bar([s + index * width for s in range(len(sizes))],
                 [ratios.get(size, 0) for size in sizes], width, label=name)
    axis.set_xticks([s + 0.4 - width / 2 for s in range(len(sizes))], sizes)
    axis.axhline(1, color='grey', linewidth=0.8)
    axis.set_ylabel('time / plain fp32 time')
    axis.set_title(f"Restore paths, {result['machine']['cpu']}", fontsize=9)
    axis.set_ylim(0, 1.35)
    axis.legend(fontsize=7, ncol=len(result['paths']), loc='upper center')
    save_figure(figure, path)
