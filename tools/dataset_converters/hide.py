"""Link HIDE's test split into the layout of the GoPro config: data/HIDE/{input,target}.

    python tools/dataset_converters/hide.py path/to/HIDE_dataset [--out data/HIDE]
"""
from lfdn_mm.datasets.converters import convert_hide, converter_parser, run_conversion


def parse_args(argv=None):
    return converter_parser(__doc__.splitlines()[0], default_out='data/HIDE').parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_hide, root=args.src, out=args.out,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
