"""Equal-budget quality study: LFDN, its Table 6 variants and a small NAFNet, trained alike.

    python tools/analysis_tools/quality_study.py [--max-iters 400] [--models lfdn ...]
        [--test-folder /path/to/rain100l ...] [--data-root data/demo_derain]
        [--out-dir docs/benchmarks] [--work-dir work_dirs/quality_study]

Trains every model through MMEngine's Runner on the demo config with the generator swapped,
tests each with MMagic's PSNR/SSIM on the demo val split and on every --test-folder, and
writes <name>.json, <name>.md and <name>_loss.png.
"""
import argparse
import shlex
import sys

from lfdn_mm.analysis.model_zoo import MODEL_SPECS
from lfdn_mm.analysis.quality_study import (DEFAULT_STUDY_MODELS, StudySettings,
                                            run_quality_study)
from lfdn_mm.analysis.quality_study_report import markdown_report, write_study_reports

DEFAULTS = StudySettings()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=list(DEFAULT_STUDY_MODELS),
                        choices=sorted(MODEL_SPECS), metavar='MODEL',
                        help=f'default: {" ".join(DEFAULT_STUDY_MODELS)}')
    parser.add_argument('--config', default=DEFAULTS.config,
                        help='training config whose generator is swapped (default: the demo '
                        'deraining config)')
    parser.add_argument('--data-root', default=DEFAULTS.data_root,
                        help='demo set root with train/ and val/ (made when missing)')
    parser.add_argument('--task', default=DEFAULTS.task, choices=('derain', 'deblur'),
                        help='degradation of a demo set made here')
    parser.add_argument('--max-iters', type=int, default=DEFAULTS.max_iters)
    parser.add_argument('--batch-size', type=int, default=DEFAULTS.batch_size)
    parser.add_argument('--crop-size', type=int, default=DEFAULTS.crop_size)
    parser.add_argument('--lr', type=float, default=DEFAULTS.learning_rate)
    parser.add_argument('--test-folder', action='append', default=[],
                        help='extra test set <root>/{input,target} (repeatable)')
    parser.add_argument('--no-global-residual', action='store_true',
                        help='train the LFDN variants without the global image residual')
    parser.add_argument('--convert-to', default=DEFAULTS.convert_to,
                        help="PSNR/SSIM colour space: 'Y' or 'none' for RGB")
    parser.add_argument('--log-interval', type=int, help='iterations per logged loss')
    parser.add_argument('--seed', type=int, default=DEFAULTS.seed)
    parser.add_argument('--work-dir', default=DEFAULTS.work_dir)
    parser.add_argument('--out-dir', default='work_dirs/quality_study/report')
    parser.add_argument('--name', default='quality_study', help='file name stem of outputs')
    return parser.parse_args(argv)


def settings_from_args(args):
    return StudySettings(
        models=tuple(args.models), config=args.config, data_root=args.data_root,
        task=args.task, max_iters=args.max_iters, batch_size=args.batch_size,
        crop_size=args.crop_size, learning_rate=args.lr, test_folders=tuple(args.test_folder),
        global_residual=not args.no_global_residual,
        convert_to=None if args.convert_to.lower() == 'none' else args.convert_to,
        log_interval=args.log_interval, work_dir=args.work_dir, seed=args.seed)


def main(argv=None):
    args = parse_args(argv)
    command = shlex.join(['python', 'tools/analysis_tools/quality_study.py',
                          *(sys.argv[1:] if argv is None else argv)])
    result = run_quality_study(settings_from_args(args), log=lambda m: print(m, flush=True))
    paths = write_study_reports(result, args.out_dir, args.name, command)
    print(markdown_report(result, command))
    print('\n'.join(f'wrote {path}' for path in paths.values()))


if __name__ == '__main__':
    main()
