"""Run the main job on built-in data: train LFDN on the fly, test it, restore a benchmark set.

    python tools/demo.py [--task derain|deblur] [--max-iters N] [--work-dir DIR]
                         [--data-root PHOTOS] [--real-test DIR]
"""
import argparse
from pathlib import Path

from lfdn_mm.cli.demo import ROOT, SHARED_RAIN100L, print_summary, run_demo


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--task', choices=('derain', 'deblur'), default='derain')
    parser.add_argument('--max-iters', type=int, help='training iterations (config: 600)')
    parser.add_argument('--work-dir', help='default: work_dirs/demo_<task>')
    parser.add_argument('--data-root', help='folder of clean photographs '
                        '(default: the scikit-image photographs in data/demo_photos)')
    parser.add_argument('--real-test', help='a test set of pairs <dir>/{input,target}, such as '
                        'a benchmark, to restore and score too (derain default: the Rain100L '
                        f'benchmark at {SHARED_RAIN100L} when present)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    work_dir = Path(args.work_dir or ROOT / 'work_dirs' / f'demo_{args.task}')
    real_test = args.real_test
    if real_test is None and args.task == 'derain' and (SHARED_RAIN100L / 'input').is_dir():
        real_test = SHARED_RAIN100L
    summary = run_demo(args.task, work_dir, args.max_iters, args.data_root, real_test)
    print_summary(summary, work_dir)
    worse = [name for name, scores in summary.items()
             if scores['restored']['PSNR'] <= scores['input']['PSNR']]
    if worse:
        raise SystemExit(f'the restored images are not better than the input on: {worse}')


if __name__ == '__main__':
    main()
