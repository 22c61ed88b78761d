"""Link Köhler et al.'s benchmark into the layout of the GoPro config: data/Kohler/{input,target}.

    python tools/dataset_converters/kohler.py path/to/Kohler [--out data/Kohler] [--frame middle]
"""
from lfdn_mm.datasets.converters import convert_kohler, converter_parser, run_conversion


def frame_choice(value):
    """``first``, ``middle``, ``last`` or a frame number."""
    return value if value in ('first', 'middle', 'last') else int(value)


def parse_args(argv=None):
    parser = converter_parser(__doc__.splitlines()[0], default_out='data/Kohler')
    parser.add_argument('--frame', type=frame_choice, default='middle',
                        help='sharp frame of each recording used as the target in the authors\' '
                        'release: first, middle, last or a frame number (default: middle)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_kohler, root=args.src, out=args.out, frame=args.frame,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
