"""Regenerate the shipped-models table of configs/lfdn/README.md from configs/lfdn/metafile.yml.

    python tools/model_converters/model_zoo_table.py [--check]

The numbers of the shipped models are written once, in the metafile; the README's table is
generated from it. ``--check`` only says whether the README is up to date (exit 1 if not).
"""
import argparse
import sys

from lfdn_mm.pretrained import readme_with_zoo
from lfdn_mm.utils.project_files import project_root


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='report whether the table is up to date instead of writing it')
    args = parser.parse_args(argv)
    readme = project_root() / 'configs' / 'lfdn' / 'README.md'
    text = readme.read_text()
    updated = readme_with_zoo(text)
    if args.check:
        print(f'{readme}: ' + ('up to date' if updated == text else 'out of date; run '
                               'tools/model_converters/model_zoo_table.py'))
        return 0 if updated == text else 1
    readme.write_text(updated)
    print(f'{readme}: table regenerated')
    return 0


if __name__ == '__main__':
    sys.exit(main())
