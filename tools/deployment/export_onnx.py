"""Export an LFDN generator to ONNX (dynamic batch/height/width) and compare it with PyTorch.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out lfdn.onnx
    python tools/deployment/export_onnx.py --preset paper --out lfdn_random.onnx

The check runs onnxruntime and PyTorch on one random [0, 1] image and prints the largest
absolute difference; the exit status is 1 when it exceeds --tolerance, 2 when the config or
checkpoint cannot be used (a missing, corrupt or unsafe checkpoint is named).
"""
import argparse
import sys

from lfdn_mm.apis.inference import load_generator
from lfdn_mm.apis.onnx_export import export_onnx, onnx_max_abs_diff
from lfdn_mm.models import PRESETS
from lfdn_mm.utils import CheckpointError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Export an LFDN generator to ONNX')
    parser.add_argument('config', nargs='?', help='config file (or use --preset)')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint file of the config')
    parser.add_argument('--preset', choices=sorted(PRESETS),
                        help='export this LFDN preset with random weights instead')
    parser.add_argument('--out', required=True, help='the .onnx file to write')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset version')
    parser.add_argument('--check-size', type=int, nargs=2, default=(37, 53),
                        metavar=('HEIGHT', 'WIDTH'), help='size of the random check image')
    parser.add_argument('--tolerance', type=float, default=1e-3,
                        help='largest accepted |ONNX - PyTorch| on [0, 1] images')
    args = parser.parse_args(argv)
    if (args.config is None) == (args.preset is None):
        parser.error('give CONFIG and CHECKPOINT, or --preset')
    if args.config is not None and args.checkpoint is None:
        parser.error('CONFIG needs its CHECKPOINT')
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        generator = load_generator(args.config, args.checkpoint, args.preset)
    except (FileNotFoundError, CheckpointError) as error:
        print(f'export_onnx: error: {error}', file=sys.stderr)
        return 2
    export_onnx(generator, args.out, opset=args.opset)
    diff = onnx_max_abs_diff(args.out, generator, tuple(args.check_size))
    height, width = args.check_size
    print(f'wrote {args.out}; max |onnxruntime - pytorch| at {height}x{width}: {diff:.3g}')
    if diff > args.tolerance:
        print(f'the difference exceeds --tolerance {args.tolerance}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
