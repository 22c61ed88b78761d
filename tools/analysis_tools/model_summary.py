"""Print LFDN's data path (shapes) and a parameter/MAC breakdown per component, as Markdown.

    python tools/analysis_tools/model_summary.py [--preset paper] [--height 720 --width 1280]
"""
import argparse

from lfdn_mm.models import PRESETS, build_lfdn_preset
from lfdn_mm.models.summary import component_table, count_parameters, trace_shapes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--preset', default='paper', choices=sorted(PRESETS))
    parser.add_argument('--height', type=int, default=720)
    parser.add_argument('--width', type=int, default=1280)
    parser.add_argument('--all-presets', action='store_true',
                        help='also list the parameter count of every preset')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = build_lfdn_preset(args.preset).eval()
    print(f'## Shapes for a 1x3x{args.height}x{args.width} input\n')
    print('| stage | output shape |\n|---|---|')
    for stage, shape in trace_shapes(model, (3, args.height, args.width)).items():
        print(f'| {stage} | {shape} |')
    sizes = ((256, 256), (args.height, args.width))
    print('\n## Parameters and MACs per component\n')
    header = ' | '.join(f'GMACs {h}x{w}' for h, w in sizes)
    print(f'| component | parameters | {header} |\n|---|---:|' + '---:|' * len(sizes))
    for name, params, *macs in component_table(model, sizes):
        print(f'| {name} | {params:,} | ' + ' | '.join(f'{m / 1e9:.2f}' for m in macs) + ' |')
    if args.all_presets:
        print('\n## Presets\n\n| preset | parameters |\n|---|---:|')
        for name in PRESETS:
            print(f'| {name} | {count_parameters(build_lfdn_preset(name)):,} |')


if __name__ == '__main__':
    main()
