"""Score restored images against their targets with MMagic's PSNR and SSIM.

    python tools/analysis_tools/score_restored.py PAIRS_DIR RESTORED_DIR [--rgb]

``PAIRS_DIR`` holds ``input/`` and ``target/`` (same names); ``RESTORED_DIR`` the restored
images under the input names (as ``lfdn-restore`` writes them). Prints the mean input and
restored PSNR/SSIM over all pairs, on the Y channel (deraining) or RGB (``--rgb``, deblurring).
"""
import argparse
import json
from pathlib import Path

from lfdn_mm.cli.demo import score
from lfdn_mm.utils import read_rgb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pairs', type=Path, help='folder with input/ and target/')
    parser.add_argument('restored', type=Path, help='folder of restored images')
    parser.add_argument('--rgb', action='store_true', help='score RGB instead of Y')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    names = sorted(p.name for p in (args.pairs / 'input').iterdir() if p.is_file())
    missing = [n for n in names if not (args.restored / n).is_file()]
    if missing:
        raise SystemExit(f'error: {len(missing)} restored images missing, e.g. '
                         f'{args.restored / missing[0]}')
    convert_to = None if args.rgb else 'Y'
    targets = [read_rgb(args.pairs / 'target' / n) for n in names]
    result = {
        'pairs': len(names), 'channel': 'RGB' if args.rgb else 'Y',
        'input': score(zip((read_rgb(args.pairs / 'input' / n) for n in names), targets),
                       convert_to),
        'restored': score(zip((read_rgb(args.restored / n) for n in names), targets),
                          convert_to)}
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()
