"""``lfdn-restore``: restore images, videos, folders or glob patterns.

    lfdn-restore --model derain|deblur INPUT [INPUT ...] --out-dir DIR
    lfdn-restore CONFIG CHECKPOINT INPUT [INPUT ...] --out-dir DIR
                 [--device cuda] [--tile 512 --tile-overlap 32] [--ensemble]
    lfdn-restore --list-models            (a table: name, task, parameters, data, a number)
    lfdn-restore --model derain --info    (how it was trained, its recipe, all its numbers)

CHECKPOINT may be a file or ``lfdn://NAME``, the weights of a shipped model.
Videos (.mp4 .mov .mkv .avi .webm, PyAV: ``pip install lfdn-mm[video]``) are restored frame by
frame into a video of the same name, frame rate and audio; ``--video-crf`` sets its quality.

Exit status: 0 when every image was restored, 1 when some input could not be read or
restored (each is named in the summary), 2 for a bad command line, config or checkpoint.
"""
import argparse
import sys

import torch

from ..apis.batch_restore import restore_files
from ..apis.memory_budget import BYTES_PER_PIXEL, default_budget
from ..apis.image_files import collect_inputs, plan_outputs
from ..apis.inference import default_device, inference_options, init_restorer
from ..apis.video import DEFAULT_CRF, MAX_CRF, is_video_file
from ..pretrained import PRETRAINED, describe_pretrained, pretrained_table
from ..utils import CheckpointError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog='lfdn-restore',
        usage='%(prog)s (--model NAME | CONFIG CHECKPOINT) INPUT [INPUT ...] -o DIR [options]'
        '\n       %(prog)s --list-models | --model NAME --info',
        description='Restore (derain or deblur) images with a shipped model or an MMagic '
        'editing config and checkpoint. Outputs keep the name, format and bit depth of their '
        'inputs.')
    parser.add_argument('paths', nargs='*', metavar='[CONFIG CHECKPOINT] INPUT',
                        help='config file and checkpoint (a file, or lfdn://NAME for the weights '
                        'of a shipped model; unless --model), then images, videos, folders or '
                        'quoted glob patterns ("rain/**/*.png")')
    parser.add_argument('--model', choices=sorted(PRETRAINED) or None,
                        help='a model shipped with lfdn-mm instead of CONFIG CHECKPOINT')
    parser.add_argument('--list-models', action='store_true',
                        help='print a table of the shipped models (task, parameters, training '
                        'data, one number) and exit')
    parser.add_argument('--info', action='store_true',
                        help='with --model: print how that model was trained, its recipe and '
                        'all its numbers, and exit (without --model: every model)')
    parser.add_argument('-o', '--out-dir',
                        help='folder for the restored images (never an input folder)')
    parser.add_argument('--device', help='cpu, cuda, cuda:1, ... (default: cuda if available)')
    parser.add_argument('--tile', type=int,
                        help='restore in tiles of this side (default: the config\'s '
                        'test_cfg.tile_size; 0: whole images)')
    parser.add_argument('--tile-overlap', type=int,
                        help='pixels shared by neighbouring tiles (default: test_cfg or 32)')
    parser.add_argument('--ensemble', nargs='?', const='x8', choices=('x8', 'flips'),
                        help='self-ensemble: x8 (the default of a bare --ensemble) averages the '
                        'eight flips and transposes, flips the four flips, which keep rain '
                        'streaks vertical (default: test_cfg.ensemble)')
    parser.add_argument('--no-ensemble', dest='ensemble', action='store_const', const=False,
                        help='no self-ensemble, whatever test_cfg says')
    parser.add_argument('--precision', choices=('fp32', 'bf16', 'fp16', 'int8'), default='fp32',
                        help='bf16 on CUDA or on a CPU with native bf16 (AVX512-BF16/AMX), '
                        'fp16 on CUDA, int8 (onnxruntime, calibrated once on held-out photos '
                        'in $LFDN_MM_CALIBRATION_DATA, else data/clean) on a CPU with VNNI or '
                        'AMX; refused where it would be slow (default: fp32)')
    parser.add_argument('--backend', choices=('auto', 'pytorch', 'onnxruntime'), default='auto',
                        help="'onnxruntime': CPU, fp32; the generator is exported to ONNX once "
                        "and cached in $LFDN_MM_CACHE, else $XDG_CACHE_HOME/lfdn_mm/onnx, else "
                        "~/.cache/lfdn_mm/onnx, keyed by the checkpoint's hash. 'auto' (default): "
                        "on the CPU in fp32, onnxruntime for images of 1024x640 pixels or more "
                        "(in tiles with PyTorch's lean middle), PyTorch below; elsewhere PyTorch")
    parser.add_argument('--local-stats', type=int, metavar='CROP',
                        help='training crop of the checkpoint in pixels: instance norms and '
                        'CCA use windows of 1.5x CROP instead of the whole image (TLC)')
    parser.add_argument('--threads', type=int, metavar='N',
                        help='CPU threads for PyTorch and onnxruntime (default: PyTorch\'s '
                        'choice, one per core this process may use)')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    parser.add_argument('--max-memory', type=float, metavar='GB',
                        help='without --tile, images whose whole restoration would need more '
                        'memory than this are restored in exact tiles (the same result); '
                        'default: half of the memory available now')
    parser.add_argument('--skip-existing', action='store_true',
                        help='leave inputs whose output is already a complete, readable image '
                        'or video (to finish an interrupted run)')
    parser.add_argument('--video-crf', type=int, default=DEFAULT_CRF, metavar='CRF',
                        help='quality of restored videos: the constant rate factor of H.264 '
                        f'(VP9 in .webm), 1-{MAX_CRF}, lower is better and larger '
                        f'(default: {DEFAULT_CRF}); 0: lossless RGB (libx264rgb, VP9 '
                        'lossless), frames exactly as restored')
    args = parser.parse_args(argv)
    if args.list_models or args.info:
        return args
    args.config = args.checkpoint = None
    if args.model is None:
        if len(args.paths) < 3:
            parser.error('give CONFIG CHECKPOINT INPUT [INPUT ...] or --model NAME INPUT ...')
        args.config, args.checkpoint, *args.paths = args.paths
    if not args.paths:
        parser.error('give at least one INPUT')
    if args.max_memory is not None and args.max_memory <= 0:
        parser.error(f'--max-memory must be a positive number of GB, got {args.max_memory}')
    if args.threads is not None and args.threads < 1:
        parser.error(f'--threads must be at least 1, got {args.threads}')
    if not 0 <= args.video_crf <= MAX_CRF:
        parser.error(f'--video-crf must be from 0 (lossless) to {MAX_CRF}, got {args.video_crf}')
    if not args.out_dir:
        parser.error('the following arguments are required: -o/--out-dir')
    args.inputs = args.paths
    return args


def describe_backend(model):
    if model.inference_precision == 'int8':
        return 'onnxruntime in int8'
    if model.inference_backend != 'auto':
        return model.inference_backend
    megapixels = model.generator_for.min_pixels / 1e6
    return f'auto (onnxruntime from {megapixels:.2f} megapixels, pytorch below)'


def whole_or_tiled(budget, tile):
    """How images are cut when no tile size is set: whole, or tiled above the budget."""
    if tile == 0 or not budget:
        return 'whole images'
    megapixels = budget / BYTES_PER_PIXEL / 1e6
    return (f'whole images up to {megapixels:.1f} megapixels, exact tiles above to stay within '
            f'{budget / 1e9:.1f} GB of memory')


def count_inputs(plan):
    """``'3 images'``, ``'1 video'``, ``'2 images and 1 video'``."""
    videos = sum(is_video_file(source) for source, _ in plan)
    counts = [(len(plan) - videos, 'image'), (videos, 'video')]
    parts = [f'{count} {noun}{"s" if count != 1 else ""}' for count, noun in counts if count]
    return ' and '.join(parts)


def main(argv=None):
    args = parse_args(argv)
    if args.list_models:
        print(pretrained_table())
        return 0
    if args.info:
        print(describe_pretrained(None if args.model is None else [args.model]))
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        inputs, skipped = collect_inputs(args.inputs)
        plan = plan_outputs(inputs, args.out_dir)
        device = args.device or ('cpu' if args.backend == 'onnxruntime' else default_device())
        model = init_restorer(args.config, args.checkpoint, device, model=args.model,
                              precision=args.precision, local_statistics=args.local_stats,
                              backend=args.backend)
        options = inference_options(model, args.tile, args.tile_overlap, args.ensemble)
    except (FileNotFoundError, ValueError, CheckpointError) as error:
        print(f'lfdn-restore: error: {error}', file=sys.stderr)
        return 2
    budget = default_budget() if args.max_memory is None else int(args.max_memory * 1e9)
    tiles = f'tiles {options["tile_size"]}/{options["tile_overlap"]}' \
        if options['tile_size'] else whole_or_tiled(budget, args.tile)
    print(f'restoring {count_inputs(plan)} on {device} with '
          f'{describe_backend(model)}, {torch.get_num_threads()} CPU threads ({tiles}, '
          f'ensemble {options["ensemble"] or "off"}) into {args.out_dir}')
    report = restore_files(model, plan, args.tile, args.tile_overlap, args.ensemble,
                           progress=not args.no_progress, skip_existing=args.skip_existing,
                           max_memory=budget, video_crf=args.video_crf)
    report.skipped = skipped
    print(report.summary())
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
