"""Run the main job on the built-in demo set: make it, train LFDN, test it, compare.

    python tools/demo.py [--task derain|deblur] [--max-iters N] [--work-dir DIR]
"""
import argparse
from pathlib import Path

from lfdn_mm.apis.demo import ROOT, print_summary, run_demo


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--task', choices=('derain', 'deblur'), default='derain')
    parser.add_argument('--max-iters', type=int, help='training iterations (config: 600)')
    parser.add_argument('--work-dir', help='default: work_dirs/demo_<task>')
    parser.add_argument('--data-root', help='default: data/demo_<task>')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    work_dir = Path(args.work_dir or ROOT / 'work_dirs' / f'demo_{args.task}')
    summary = run_demo(args.task, work_dir, args.max_iters, args.data_root)
    print_summary(summary, work_dir)
    if summary['restored']['PSNR'] <= summary['input']['PSNR']:
        raise SystemExit('the restored images are not better than the input')


if __name__ == '__main__':
    main()
