"""Restore images with a config and checkpoint; the same command as ``lfdn-restore``.

    python tools/restore.py CONFIG CHECKPOINT INPUT [INPUT ...] --out-dir DIR [--tile 512]
"""
import sys

from lfdn_mm.cli.restore import main

if __name__ == '__main__':
    sys.exit(main())
