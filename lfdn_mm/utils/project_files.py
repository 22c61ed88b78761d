"""Where the configs and tools are: beside the package in a checkout (and an editable
install), or inside it as ``lfdn_mm/.mim/`` in an installed wheel, the layout MMagic and mim
use for theirs."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def project_root():
    """The folder holding ``configs/`` and ``tools/``.

    Raises:
        FileNotFoundError: Neither an installed ``lfdn_mm/.mim`` nor a checkout was found.
    """
    for root in (PACKAGE_DIR.parent, PACKAGE_DIR / '.mim'):  # a checkout wins over a copy
        if (root / 'configs' / 'lfdn').is_dir() and (root / 'tools').is_dir():
            return root
    raise FileNotFoundError(f'lfdn_mm: no configs/ and tools/ in {PACKAGE_DIR.parent} (a '
                            f'checkout) or {PACKAGE_DIR / ".mim"} (an installed package); '
                            'reinstall lfdn-mm')
