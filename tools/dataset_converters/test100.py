"""Link Test100 into the layout of the Rain14000 config: data/Test100/{input,target}.

    python tools/dataset_converters/test100.py path/to/Test100 [--out data/Test100]
"""
from lfdn_mm.datasets.converters import convert_test100, converter_parser, run_conversion


def parse_args(argv=None):
    return converter_parser(__doc__.splitlines()[0], default_out='data/Test100').parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_test100, root=args.src, out=args.out,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
