"""Equal-budget quality study: LFDN, its Table 6 variants and a small NAFNet, trained alike.

    python tools/analysis_tools/quality_study.py [--budget-seconds 200] [--seeds 0 1 2]
        [--models lfdn ...] [--test-folder ../shared/data/rain100l ...]
        [--data-root ../shared/data/clean] [--amp] [--work-dir work_dirs/quality_study]

Trains every model for the same wall-clock (turned into iterations per model by a short
calibration run) through MMEngine's Runner on the deraining starter recipe with the generator
swapped, once per seed; tests each run with MMagic's PSNR/SSIM on the held-out validation
photographs, the demo photographs and every --test-folder; writes <name>.json, <name>.md and
<name>.png. Rerun the same command to resume an interrupted study.
"""
import argparse
import shlex
import sys

from lfdn_mm.cli.analysis.model_zoo import MODEL_SPECS
from lfdn_mm.cli.analysis.quality_study import (DEFAULT_STUDY_MODELS, StudySettings,
                                            run_quality_study)
from lfdn_mm.cli.analysis.quality_study_report import markdown_report, write_study_reports

DEFAULTS = StudySettings()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=list(DEFAULT_STUDY_MODELS),
                        choices=sorted(MODEL_SPECS), metavar='MODEL',
                        help=f'default: {" ".join(DEFAULT_STUDY_MODELS)}')
    parser.add_argument('--config', default=DEFAULTS.config,
                        help='training config whose generator is swapped (default: the '
                        'deraining starter recipe)')
    parser.add_argument('--data-root', default=DEFAULTS.data_root,
                        help='folder of clean photographs to train and validate on')
    parser.add_argument('--demo-root', default=DEFAULTS.demo_root,
                        help="demo photographs tested as 'Demo' (written when missing); "
                        "'none' leaves them out")
    parser.add_argument('--budget-seconds', type=float, default=DEFAULTS.budget_seconds,
                        help='training wall-clock of every run')
    parser.add_argument('--max-iters', type=int,
                        help='train every run for this many iterations instead of the budget')
    parser.add_argument('--calibration-iters', type=int, default=DEFAULTS.calibration_iters)
    parser.add_argument('--seeds', type=int, nargs='+', default=list(DEFAULTS.seeds))
    parser.add_argument('--batch-size', type=int, default=DEFAULTS.batch_size)
    parser.add_argument('--crop-size', type=int, default=DEFAULTS.crop_size)
    parser.add_argument('--lr', type=float, default=DEFAULTS.learning_rate)
    parser.add_argument('--amp', action='store_true',
                        help='train under bf16 autocast (a GPU, or a CPU with native bf16)')
    parser.add_argument('--test-folder', action='append', default=[],
                        help='extra test set <root>/{input,target} (repeatable)')
    parser.add_argument('--no-global-residual', action='store_true',
                        help='train the LFDN variants without the global image residual')
    parser.add_argument('--convert-to', default=DEFAULTS.convert_to,
                        help="PSNR/SSIM colour space: 'Y' or 'none' for RGB")
    parser.add_argument('--log-interval', type=int, help='iterations per logged loss')
    parser.add_argument('--work-dir', default=DEFAULTS.work_dir)
    parser.add_argument('--out-dir', default='work_dirs/quality_study/report')
    parser.add_argument('--name', default='quality_study', help='file name stem of outputs')
    return parser.parse_args(argv)


def settings_from_args(args):
    def optional(value):
        return None if value is None or value.lower() == 'none' else value

    return StudySettings(
        models=tuple(args.models), config=args.config, data_root=args.data_root,
        demo_root=optional(args.demo_root), budget_seconds=args.budget_seconds,
        max_iters=args.max_iters, calibration_iters=args.calibration_iters,
        seeds=tuple(args.seeds), batch_size=args.batch_size, crop_size=args.crop_size,
        learning_rate=args.lr, amp=args.amp, test_folders=tuple(args.test_folder),
        global_residual=not args.no_global_residual, convert_to=optional(args.convert_to),
        log_interval=args.log_interval, work_dir=args.work_dir)


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
