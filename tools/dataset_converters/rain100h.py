"""Link Rain100H into the layout of the Rain14000 config: data/Rain100H/{input,target}.

    python tools/dataset_converters/rain100h.py path/to/Rain100H [--out data/Rain100H]
"""
from lfdn_mm.datasets.converters import convert_rain100h, converter_parser, run_conversion


def parse_args(argv=None):
    return converter_parser(__doc__.splitlines()[0], default_out='data/Rain100H').parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_rain100h, root=args.src, out=args.out,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
