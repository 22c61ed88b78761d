"""Benchmark LFDN against MMagic's NAFNet and Restormer: size, MACs, latency, memory.

    python tools/analysis_tools/benchmark.py [--models lfdn nafnet-w64 ...]
        [--sizes 256x256 1280x720] [--device cpu|cuda] [--dtypes fp32 fp16 bf16]
        [--channels-last off|on|both] [--compile] [--repeats 10] [--warmup 2]
        [--time-budget 120] [--out-dir docs/benchmarks] [--name benchmark]

Writes <name>.json, <name>.md, <name>_latency_vs_params.png and <name>_latency_vs_psnr.png.

    python tools/analysis_tools/benchmark.py --paths [plain default onnxruntime ...]
        [--restorer derain | --restorer-config CONFIG CHECKPOINT]
        [--sizes 256x256 1280x720 3840x2160] [--tile-above 1280x720 --tile 512]

times the restore command's inference paths side by side on the CPU instead (see
lfdn_mm/cli/analysis/inference_paths.py): writes <name>.json and <name>.md.
"""
import argparse
import shlex
import sys

from lfdn_mm.cli.analysis.benchmark import DEFAULT_MODELS, BenchmarkSettings, run_benchmark
from lfdn_mm.cli.analysis.report import markdown_report, write_benchmark_reports
from lfdn_mm.cli.analysis.inference_paths import PATHS, paths_table, plot_paths, run_path_benchmark
from lfdn_mm.cli.analysis.measure import DTYPES, parse_size
from lfdn_mm.cli.analysis.model_zoo import LFDN_TABLE6, MODEL_SPECS

MEMORY_FORMAT_CHOICES = {'off': ('contiguous',), 'on': ('channels_last',),
                         'both': ('contiguous', 'channels_last')}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=list(DEFAULT_MODELS),
                        choices=sorted(MODEL_SPECS), metavar='MODEL',
                        help=f'models to compare (default: {" ".join(DEFAULT_MODELS)}); '
                        f'known: {", ".join(MODEL_SPECS)}')
    parser.add_argument('--table6', action='store_true',
                        help=f'add the LFDN Table 6 variants ({", ".join(LFDN_TABLE6[1:])})')
    parser.add_argument('--sizes', nargs='+', default=['256x256', '1280x720'],
                        help='input sizes as WIDTHxHEIGHT')
    parser.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    parser.add_argument('--dtypes', nargs='+', default=['fp32'], choices=sorted(DTYPES),
                        help='precisions; fp16/bf16 run under torch.autocast')
    parser.add_argument('--channels-last', default='off', choices=sorted(MEMORY_FORMAT_CHOICES),
                        help='store 2-D conv weights (and the input) channels_last: off, on, '
                        'or both (each model measured both ways in the same run)')
    parser.add_argument('--compile', action='store_true', help='wrap models in torch.compile')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=2, help='untimed passes (min. 1 runs)')
    parser.add_argument('--repeats', type=int, default=10, help='timed passes')
    parser.add_argument('--time-budget', type=float, default=120.0,
                        help='seconds per model and size; predicted overruns are skipped')
    parser.add_argument('--no-memory', action='store_true', help='skip the memory probes')
    parser.add_argument('--threads', type=int, help='torch.set_num_threads')
    parser.add_argument('--reference', default='lfdn', help='model the others are compared to')
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    parser.add_argument('--name', default='benchmark', help='file name stem of the outputs')
    paths = parser.add_argument_group('inference paths (--paths)')
    paths.add_argument('--paths', nargs='*', choices=sorted(PATHS), metavar='PATH',
                       help=f'time these restore paths instead (default: all of '
                       f'{", ".join(PATHS)}; bf16 only where the CPU has it)')
    paths.add_argument('--restorer', default='derain', help='shipped model to restore with')
    paths.add_argument('--restorer-config', nargs=2, metavar=('CONFIG', 'CHECKPOINT'))
    paths.add_argument('--tile', type=int, default=512, help='tile side above --tile-above')
    paths.add_argument('--tile-above', default='1280x720',
                       help='images larger than this are restored in tiles')
    return parser.parse_args(argv)


def settings_from_args(args):
    models = list(dict.fromkeys(args.models + (list(LFDN_TABLE6) if args.table6 else [])))
    return BenchmarkSettings(
        models=tuple(models), sizes=tuple(parse_size(s) for s in args.sizes),
        device=args.device, dtypes=tuple(args.dtypes),
        memory_formats=MEMORY_FORMAT_CHOICES[args.channels_last], compile=args.compile,
        batch_size=args.batch_size, warmup=args.warmup, repeats=args.repeats,
        time_budget=args.time_budget, measure_memory=not args.no_memory,
        reference=args.reference, threads=args.threads)


def run_paths(args, command):
    from lfdn_mm.utils import write_json
    limit = parse_size(args.tile_above)
    config, checkpoint = args.restorer_config or (None, None)

    def tile_for(size):
        return args.tile if size[0] * size[1] > limit[0] * limit[1] else 0

    result = run_path_benchmark(
        config, checkpoint, None if config else args.restorer,
        names=args.paths or tuple(PATHS), sizes=tuple(parse_size(s) for s in args.sizes),
        tile_for=tile_for, repeats=lambda size: 1 if tile_for(size) else args.repeats,
        log=lambda m: print(m, flush=True))
    table = paths_table(result)
    write_json(f'{args.out_dir}/{args.name}.json', {**result, 'command': command})
    report = (f"```bash\n{command}\n```\n\nCPU: {result['machine']['cpu']}, "
              f"{result['machine']['torch_threads']} threads; MAC floor: "
              f"{result['peak_fp32']['assumption']}.\n\n{table}")
    with open(f'{args.out_dir}/{args.name}.md', 'w') as markdown:
        markdown.write(report)
    plot_paths(result, f'{args.out_dir}/{args.name}.png')
    print(report)


def main(argv=None):
    args = parse_args(argv)
    command = shlex.join(['python', 'tools/analysis_tools/benchmark.py',
                          *(sys.argv[1:] if argv is None else argv)])
    if args.paths is not None:
        return run_paths(args, command)
    result = run_benchmark(settings_from_args(args), log=lambda m: print(m, flush=True))
    paths = write_benchmark_reports(result, args.out_dir, args.name, command)
    print(markdown_report(result, command))
    print('\n'.join(f'wrote {path}' for path in paths.values()))


if __name__ == '__main__':
    main()
