import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT

SETUP = ROOT / 'tools' / 'setup_env.sh'


def test_the_stack_imports_and_registers_lfdn():
    import mmagic.datasets  # noqa: F401
    import mmagic.evaluation  # noqa: F401
    import mmagic.models  # noqa: F401
    import mmcv.ops  # noqa: F401
    from mmagic.registry import MODELS

    import lfdn_mm
    assert lfdn_mm.__version__
    for name in ('LFDN', 'LFDNPreset'):
        assert name in MODELS.module_dict


def test_lfdn_builds_from_a_registry_config():
    from mmagic.registry import MODELS
    from mmengine.registry import DefaultScope

    import lfdn_mm  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(dict(type='LFDN', num_blocks=2))
        preset = MODELS.build(dict(type='LFDNPreset', preset='wo_mshf'))
    assert len(model.blocks) == 2
    assert preset.stride == 4


@pytest.mark.skipif(not (ROOT / '.venv' / '.lfdn-setup-complete').exists()
                    or os.environ.get('LFDN_VENV'),
                    reason='the project environment was not made by tools/setup_env.sh')
def test_second_setup_run_reuses_everything():
    start = time.monotonic()
    result = subprocess.run(['bash', str(SETUP)], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert 'is complete' in result.stdout and 'ready in' in result.stdout
    assert elapsed < 60, f'a second set-up took {elapsed:.0f}s'


def test_setup_rejects_an_unsupported_python(tmp_path):
    fake = tmp_path / 'python3.9'
    fake.write_text('#!/bin/sh\ncase "$*" in *platform*) echo 3.9.7;; *) exit 1;; esac\n')
    fake.chmod(0o755)
    venv = tmp_path / 'venv'
    result = subprocess.run(['bash', str(SETUP)], capture_output=True, text=True,
                            env={**os.environ, 'PYTHON': str(fake), 'LFDN_VENV': str(venv)})
    assert result.returncode != 0
    assert 'Python 3.9.7 is not supported' in result.stderr
    assert not venv.exists()


def test_setup_rejects_a_missing_interpreter(tmp_path):
    result = subprocess.run(['bash', str(SETUP)], capture_output=True, text=True,
                            env={**os.environ, 'PYTHON': 'python-does-not-exist',
                                 'LFDN_VENV': str(tmp_path / 'venv')})
    assert result.returncode != 0
    assert "'python-does-not-exist' not found" in result.stderr


def test_package_is_installed_in_editable_mode():
    import lfdn_mm
    assert os.path.dirname(lfdn_mm.__file__) == str(ROOT / 'lfdn_mm')
    assert sys.prefix != sys.base_prefix, 'tests should run inside the project virtualenv'


def test_ci_runs_the_readme_test_command_with_the_linter():
    readme_commands = (ROOT / 'README.md').read_text().split('```bash\n')[1].split('```')[0]
    test_command = readme_commands.strip().splitlines()[1]
    assert 'ruff check .' in test_command and 'pytest tests' in test_command
    assert test_command in (ROOT / '.ci' / 'run').read_text()


def test_the_tree_passes_the_linter():
    ruff = ROOT / '.venv' / 'bin' / 'ruff'
    if not ruff.is_file():
        pytest.skip('ruff is installed by tools/setup_env.sh')
    result = subprocess.run([str(ruff), 'check', '.'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_importing_the_package_prints_no_third_party_warnings():
    result = subprocess.run([sys.executable, '-c', 'import lfdn_mm.cli.restore'],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert 'Warning' not in result.stderr, result.stderr
