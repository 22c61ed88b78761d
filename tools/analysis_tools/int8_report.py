"""int8 against fp32 with the shipped starters: per layer group, on test pairs, and in time.

    LFDN_MM_CALIBRATION_DATA=data/clean python tools/analysis_tools/int8_report.py \\
        --rain100l data/rain100l --threads 1 --out int8_report.json

1. per layer group (``lfdn_mm.apis.onnx_quantize.LAYER_GROUPS``), for each starter: the PSNR
   on the held-out evaluation photographs (synthetic rain or blur) with only that group in
   int8, against the fp32 graphs, and (derain) the time against the fp32 graphs;
2. ``--precision int8`` (and ``bf16`` with ``--bf16``) against the fp32 default path, image
   by image in turn: the derain starter on Rain100L (Y), the deblur starter on held-out
   synthetic blur (RGB) and the derain starter on held-out synthetic rain (Y);
3. the time of ``restore_image`` of a ``--size`` image (an upscaled held-out photograph),
   each precision against the fp32 default path, round-robin.
"""
import argparse
import json
import tempfile
from pathlib import Path

import cv2
import torch

from lfdn_mm.apis.inference import init_restorer
from lfdn_mm.apis.onnx_quantize import calibration_for, evaluation_pairs
from lfdn_mm.cli.analysis.int8 import (CONVERT_TO, compare_on_pairs, layer_costs, paired_folder,
                                       time_round_robin)

TASKS = {'derain': 'rain', 'deblur': 'blur'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tasks', nargs='+', choices=tuple(TASKS), default=tuple(TASKS),
                        help='starters to measure (default: both)')
    parser.add_argument('--rain100l', type=Path, help='Rain100L with input/ and target/')
    parser.add_argument('--size', type=int, nargs=2, default=(720, 1280),
                        metavar=('HEIGHT', 'WIDTH'), help='timed image size (default: 720p)')
    parser.add_argument('--rounds', type=int, default=3, help='timed runs of each precision')
    parser.add_argument('--threads', type=int, help='torch and onnxruntime threads')
    parser.add_argument('--skip-layers', action='store_true', help='skip the per-layer table')
    parser.add_argument('--bf16', action='store_true',
                        help='compare --precision bf16 too (a CPU with native bf16)')
    parser.add_argument('--out', type=Path, help='write the numbers as JSON')
    return parser.parse_args(argv)


def per_layer(task, timing_image, rounds):
    """The per-layer-group table of starter ``task``, timed on ``timing_image``."""
    restorer = init_restorer(model=task, device='cpu', backend='onnxruntime')
    generator = restorer.generator
    with tempfile.TemporaryDirectory() as folder:
        return layer_costs(generator.fallback, generator.paths, calibration_for(None, task),
                           Path(folder), timing_image=timing_image, rounds=rounds)


def restorers(task, precisions):
    """``{precision: restorer}`` of starter ``task``, fp32 (the default path) first."""
    return {precision: init_restorer(model=task, device='cpu', precision=precision)
            for precision in ('fp32', *precisions)}


def print_table(title, rows):
    print(f'\n{title}\n| int8 layers | nodes | PSNR (dB) | PSNR vs fp32 graphs (dB) | '
          'time / fp32 graphs |')
    print('|---|---:|---:|---:|---:|')
    for row in rows:
        timing = f"{row['time_ratio']:.2f}" if 'time_ratio' in row else '-'
        print(f"| {row['label']} | {row['quantized_nodes']} | {row['psnr']:.3f} | "
              f"{row['psnr_vs_fp32']:.2f} | {timing} |")


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    report = {'threads': torch.get_num_threads()}
    photo = evaluation_pairs(calibration_for(None, 'derain'))[0][2]
    image = cv2.resize(photo, tuple(reversed(args.size)), interpolation=cv2.INTER_CUBIC)
    if not args.skip_layers:
        for task in args.tasks:
            timed = image if task == args.tasks[0] else None  # the same network: timed once
            report[f'{task} layers'] = per_layer(task, timed, args.rounds)
            print_table(f'{task}: one layer group in int8', report[f'{task} layers'])
    precisions = ('int8', 'bf16') if args.bf16 else ('int8', )
    models = {task: restorers(task, precisions) for task in args.tasks}
    if args.rain100l and 'derain' in models:
        report['Rain100L derain'] = compare_on_pairs(models['derain'],
                                                     paired_folder(args.rain100l), 'Y')
    for task in args.tasks:
        degradation = TASKS[task]
        pairs = evaluation_pairs(calibration_for(None, task))
        report[f'held-out synthetic {degradation} {task}'] = compare_on_pairs(
            models[task], pairs, CONVERT_TO[degradation])
    seconds = time_round_robin(models[args.tasks[0]], image, args.rounds)
    report[f'time {args.size[0]}x{args.size[1]}'] = dict(
        seconds=seconds, **{f'ratio_{precision}_to_fp32': seconds[precision] / seconds['fp32']
                            for precision in precisions})
    print(json.dumps({k: v for k, v in report.items() if 'layers' not in k}, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == '__main__':
    main()
