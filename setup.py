"""Install lfdn-mm with the pinned runtime requirements of ``requirements.txt``."""
import re
import shutil
import sys
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


MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Put configs, tools and model-index.yml into ``lfdn_mm/.mim`` for wheels and sdists
    (copies), as MMagic does, so ``mim`` and an installed package find them. Editable
    installs read them from the checkout instead."""
    if not {'bdist_wheel', 'sdist', 'build', 'install'} & set(sys.argv):
        return
    mim = ROOT / 'lfdn_mm' / '.mim'
    shutil.rmtree(mim, ignore_errors=True)
    mim.mkdir()
    for name in MIM_FILES:
        source, target = ROOT / name, mim / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(source, target)


def version():
    text = (ROOT / 'lfdn_mm' / 'version.py').read_text()
    return re.search(r"__version__ = '([^']+)'", text).group(1)


add_mim_extension()
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
    # the shipped starter weights (lfdn-restore --model ...), and configs and tools for mim
    package_data={'lfdn_mm': ['checkpoints/*.pth', '.mim/model-index.yml', '.mim/configs/**/*',
                              '.mim/tools/**/*']},
    # mmagic itself is installed with --no-deps by tools/setup_env.sh: its
    # declared requirements conflict with the pins in requirements.txt.
    install_requires=requirements('runtime'),
    extras_require={name: requirements(name) for name in ('tests', 'video', 'demo')},
    entry_points={'console_scripts': ['lfdn-restore = lfdn_mm.cli.restore:main']},
)
