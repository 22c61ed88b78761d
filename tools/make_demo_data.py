"""Write the built-in demo data from the photographs scikit-image ships.

    python tools/make_demo_data.py --photos [--out data/demo_photos]
        clean photographs, the folder the demo degrades on the fly
    python tools/make_demo_data.py [--task derain|deblur] [--out data/demo_derain]
        fixed degraded/clean pairs in the benchmark layout (for paired-folder recipes)
"""
import argparse

from lfdn_mm.datasets import make_demo_set, write_demo_photos


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--photos', action='store_true',
                        help='write the clean photographs only (the on-the-fly demo data)')
    parser.add_argument('--task', choices=('derain', 'deblur'), default='derain')
    parser.add_argument('--out', help='output folder (default: data/demo_<task>)')
    parser.add_argument('--num-train', type=int, default=48)
    parser.add_argument('--num-val', type=int, default=6)
    parser.add_argument('--crop-size', type=int, default=128)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--overwrite', action='store_true', help='replace an existing set')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.photos:
        out = args.out or 'data/demo_photos'
        print(f'{write_demo_photos(out, args.overwrite)} clean photographs in {out}')
        return
    out = args.out or f'data/demo_{args.task}'
    counts = make_demo_set(out, args.task, args.num_train, args.num_val, args.crop_size,
                           args.seed, args.overwrite)
    print(f'demo set ({args.task}) in {out}: ' + ', '.join(f'{n} {s}' for s, n in counts.items()))


if __name__ == '__main__':
    main()
