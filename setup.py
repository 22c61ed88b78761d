"""Install lfdn-mm with the pinned runtime requirements of ``requirements.txt``."""
import re
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent


def requirements(section):
    """Return the requirement lines of one ``# [section]`` of requirements.txt."""
    current, lines = None, []
    for line in (ROOT / 'requirements.txt').read_text().splitlines():
        header = re.fullmatch(r'#\s*\[([\w-]+)\]\s*', line)
        if header:
            current = header.group(1)
        elif current == section and line.strip() and not line.startswith('#'):
            lines.append(line.strip())
    return lines


def version():
    text = (ROOT / 'lfdn_mm' / 'version.py').read_text()
    return re.search(r"__version__ = '([^']+)'", text).group(1)


setup(
    name='lfdn-mm',
    version=version(),
    description='LFDN (Lightweight Fusion Distillation Network) for image '
    'deblurring and deraining, as an MMagic plugin',
    long_description=(ROOT / 'README.md').read_text(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    license_files=['LICENSE'],
    python_requires='>=3.10,<3.13',
    packages=find_packages(include=['lfdn_mm', 'lfdn_mm.*']),
    # the shipped starter weights (lfdn-restore --model ...)
    package_data={'lfdn_mm': ['checkpoints/*.pth']},
    # mmagic itself is installed with --no-deps by tools/setup_env.sh: its
    # declared requirements conflict with the pins in requirements.txt.
    install_requires=requirements('runtime'),
    extras_require={'tests': requirements('tests')},
    entry_points={'console_scripts': ['lfdn-restore = lfdn_mm.apis.restore_cli:main']},
)
