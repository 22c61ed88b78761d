"""Link a benchmark, as its authors distribute it, into the layout the configs read.

    python tools/dataset_converters/prepare.py DATASET SRC DST [options]

DST is the config's data_root (listed per DATASET under -h); gopro fills DST/{train,val,test},
rain14000 fills DST/Rain14000/{train,val} and DST/Test2800, so its DST is data. Layouts read,
and releases already in input/ and target/ (used where they are): docs/datasets.md.
"""
import argparse

from lfdn_mm.cli import converters as conv
from lfdn_mm.datasets.validation import PairValidationError

#: the DST under which each dataset lands where the configs read it
CONFIG_DST = {'gopro': 'data/gopro', 'hide': 'data/HIDE', 'kohler': 'data/Kohler',
              'rain14000': 'data', 'rain100h': 'data/Rain100H', 'rain100l': 'data/Rain100L',
              'test100': 'data/Test100'}


def frame(value):
    return value if value in ('first', 'middle', 'last') else int(value)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(usage='%(prog)s DATASET SRC DST [options]',
                                     description=__doc__.split('\n\n')[2])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('src', metavar='SRC', help='the benchmark as distributed')
    common.add_argument('--overwrite', action='store_true',
                        help='replace existing outputs (only ones holding nothing but links)')
    common.add_argument('--no-check-counts', dest='check_counts', action='store_false',
                        help='accept any number of pairs (partial or tiny copies)')
    datasets = parser.add_subparsers(dest='dataset', metavar='DATASET', required=True)
    sub = {}
    for name, dst in CONFIG_DST.items():
        sub[name] = datasets.add_parser(name, parents=[common], prog=f'{parser.prog} {name}',
                                        help=f'DST for the configs: {dst}')
        sub[name].add_argument('dst', metavar='DST', help=f'output (for the configs: {dst})')
    gopro, rain = sub['gopro'], sub['rain14000']
    gopro.add_argument('--blur-dir', choices=('blur', 'blur_gamma'), default='blur',
                       help='blurred images to link (default: blur, the benchmark)')
    gopro.add_argument('--val-scenes', dest='num_val_scenes', type=int,
                       default=conv.GOPRO_VAL_SCENES, help='last training scenes held out, '
                       'whole, into DST/val (default: %(default)s; 0: none)')
    sub['kohler'].add_argument('--frame', type=frame, default='middle',
                               help='sharp frame used as the target: first, middle (default), '
                               'last or a frame number')
    rain.add_argument('--num-train-clean', type=int, default=conv.RAIN14000_TRAIN_CLEAN,
                      help='lowest clean ids that train, the others test (default: %(default)s)')
    rain.add_argument('--num-val-clean', type=int, default=conv.RAIN14000_VAL_CLEAN,
                      help='training clean ids, evenly spread, held out with all their '
                      'renderings into DST/Rain14000/val (default: %(default)s; 0: none)')
    return parser.parse_args(argv)


def main(argv=None):
    args = vars(parse_args(argv))
    try:
        counts = conv.prepare(args.pop('dataset'), args.pop('src'), args.pop('dst'), **args)
    except (conv.LayoutError, PairValidationError, FileExistsError) as error:
        raise SystemExit(f'error: {error}') from None
    for folder, count in counts.items():
        print(f'{folder}: {count} pairs')
    return counts


if __name__ == '__main__':
    main()
