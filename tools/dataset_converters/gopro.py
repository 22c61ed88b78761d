"""Link GOPRO_Large into the layout of the GoPro config: data/gopro/{train,val,test}/{blur,sharp}.

    python tools/dataset_converters/gopro.py path/to/GOPRO_Large [--out data/gopro]
"""
from lfdn_mm.datasets.converters import (GOPRO_VAL_SCENES, convert_gopro, converter_parser,
                                         run_conversion)


def parse_args(argv=None):
    parser = converter_parser(__doc__.splitlines()[0], default_out='data/gopro')
    parser.add_argument('--blur-dir', choices=('blur', 'blur_gamma'), default='blur',
                        help='blurred images to use (the benchmark uses blur)')
    parser.add_argument('--val-scenes', type=int, default=GOPRO_VAL_SCENES,
                        help='training scenes (the last in name order) held out, whole, for '
                        f'validation in <out>/val (default: {GOPRO_VAL_SCENES}; 0: none)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_gopro, root=args.src, out=args.out, blur_dir=args.blur_dir,
                          num_val_scenes=args.val_scenes,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
