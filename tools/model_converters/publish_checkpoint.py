"""Turn a training checkpoint into a shippable weights file and print its SHA-256.

    python tools/model_converters/publish_checkpoint.py work_dirs/X/best_*.pth \
        lfdn_mm/checkpoints/lfdn_starter_derain.pth [--half] [--meta iterations=2200 ...]

Only the model weights are kept (no optimizer state); record the printed SHA-256 in
``lfdn_mm/pretrained.py`` so every load verifies it.
"""
import argparse

from lfdn_mm.pretrained import publish_checkpoint


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', help='training checkpoint (.pth)')
    parser.add_argument('target', help='weights file to write')
    parser.add_argument('--half', action='store_true',
                        help='store the weights in fp16 (half the size; loaded into fp32)')
    parser.add_argument('--meta', nargs='*', default=[], metavar='KEY=VALUE',
                        help='facts stored in the file (recipe, iterations, ...)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    meta = dict(item.split('=', 1) for item in args.meta)
    digest = publish_checkpoint(args.source, args.target, meta, half=args.half)
    print(f'{args.target}\nsha256 {digest}')


if __name__ == '__main__':
    main()
