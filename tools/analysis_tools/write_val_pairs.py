"""Write the validation samples of a config (degraded on the fly) as an input/target folder.

    python tools/analysis_tools/write_val_pairs.py CONFIG OUT_DIR [--cfg-options ...]

For configs that synthesise their validation degradations (``CleanImageDataset`` with a
seeded ``SynthesizeRain``/``SynthesizeCameraBlur``): the pairs can then be restored with
``lfdn-restore`` and scored with ``score_restored.py``.
"""
import argparse
from pathlib import Path

from mmengine.config import DictAction

from lfdn_mm.cli.demo import write_val_pairs


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('out_dir', type=Path)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out = write_val_pairs(args.config, args.cfg_options, args.out_dir)
    print(f"{len(list((out / 'input').iterdir()))} pairs in {out}")


if __name__ == '__main__':
    main()
