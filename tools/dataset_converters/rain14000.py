"""Link Rain14000 into the layout of its config: data/Rain14000/{train,val}, data/Test2800.

    python tools/dataset_converters/rain14000.py path/to/Rain14000 \
        [--train-out data/Rain14000/train] [--val-out data/Rain14000/val] [--test-out data/Test2800]
"""
from lfdn_mm.datasets.converters import (RAIN14000_TRAIN_CLEAN, RAIN14000_VAL_CLEAN,
                                         convert_rain14000, converter_parser, run_conversion)


def parse_args(argv=None):
    parser = converter_parser(__doc__.splitlines()[0])
    parser.add_argument('--train-out', default='data/Rain14000/train',
                        help='training output (default: data/Rain14000/train)')
    parser.add_argument('--test-out', default='data/Test2800',
                        help='test output (default: data/Test2800)')
    parser.add_argument('--val-out', default='data/Rain14000/val',
                        help='validation output (default: data/Rain14000/val)')
    parser.add_argument('--num-val-clean', type=int, default=RAIN14000_VAL_CLEAN,
                        help='training clean images held out for validation with all their '
                        f'rainy versions (default: {RAIN14000_VAL_CLEAN}, 2 %%; 0: none)')
    parser.add_argument('--num-train-clean', type=int, default=RAIN14000_TRAIN_CLEAN,
                        help='clean images (lowest ids first) whose rainy versions train; the '
                        f'others test (default: {RAIN14000_TRAIN_CLEAN})')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return run_conversion(convert_rain14000, root=args.src, train_out=args.train_out,
                          test_out=args.test_out, num_train_clean=args.num_train_clean,
                          val_out=args.val_out, num_val_clean=args.num_val_clean,
                          check_counts=args.check_counts, overwrite=args.overwrite)


if __name__ == '__main__':
    main()
