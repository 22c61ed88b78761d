"""Compare real rain with the synthetic rain of ``SynthesizeRain``.

    python tools/analysis_tools/rain_statistics.py --real RAIN_DIR [--real DIR2 ...] \
        --clean PHOTO_DIR [--out-dir docs/training_data]

``--real`` folders hold ``input/`` (rainy) and ``target/`` (clean) pairs; they are only
measured, never used to set anything. ``--clean`` is a folder of clean photographs that the
synthetic rains are rendered over (seeded). Writes ``rain_statistics.json``, ``.md`` and
``.png`` into ``--out-dir``.
"""
import argparse
import json
from pathlib import Path

from lfdn_mm.cli.analysis.rain_statistics import (SYNTHETIC_RAINS, comparison_table,
                                              measure_real, measure_synthetic,
                                              plot_comparison, summarise)
from lfdn_mm.apis.image_files import IMAGE_SUFFIXES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--real', action='append', default=[], type=Path,
                        help='a real <dir>/{input,target} set (repeatable)')
    parser.add_argument('--clean', required=True, type=Path, help='folder of clean photographs')
    parser.add_argument('--num-clean', type=int, default=60, help='photographs to render on')
    parser.add_argument('--out-dir', type=Path, default=Path('docs/training_data'))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    clean = sorted(p for p in args.clean.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not clean:
        raise SystemExit(f'error: no images in {args.clean}')
    summaries = {f'real {d.name}': summarise(measure_real(d)) for d in args.real}
    for name, settings in SYNTHETIC_RAINS.items():
        summaries[name] = summarise(measure_synthetic(clean[:args.num_clean], settings))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / 'rain_statistics.json').write_text(json.dumps(summaries, indent=1))
    table = comparison_table(summaries)
    (args.out_dir / 'rain_statistics.md').write_text(table)
    plot_comparison(summaries, args.out_dir / 'rain_statistics.png')
    print(table)


if __name__ == '__main__':
    main()
