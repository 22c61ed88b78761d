"""Every ``--flag`` the docs give a tool is in that tool's ``--help``.

The pages are README.md, docs/*.md (docs/changelog.md excepted: it records commands as they
were run, some with tools since retired) and configs/lfdn/README.md. Flags come from the
logical lines of shell blocks (backslash continuations joined) and from inline code spans, each
given to the nearest tool before it on the same command line (``doc_sources.command_uses``);
the ``--help`` texts come from one process that imports the stack once and forks once per
tool (``tool_help.py``), with ``OMP_NUM_THREADS=1``.
"""
import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_docs.doc_sources import (ROOT, command_uses, doc_pages, flag_uses, known_tools,
                                   named_tool_paths)

HISTORY = {'docs/changelog.md'}
TOOL_HELP = Path(__file__).with_name('tool_help.py')


@functools.cache
def documented_uses(root=ROOT):
    return [use for use in flag_uses(root, known_tools(root)) if use.page not in HISTORY]


def help_key(use):
    return f'{use.tool} {use.subcommand}' if use.subcommand else use.tool


@pytest.fixture(scope='module')
def helps():
    """``{tool [word]: its --help}`` for every tool the docs name a flag for."""
    keys = sorted({help_key(use) for use in documented_uses()})
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}
    done = subprocess.run([sys.executable, str(TOOL_HELP), str(ROOT), *keys], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def in_help(flag, text):
    return re.search(rf'(?<![\w-]){re.escape(flag)}(?![\w-])', text) is not None


@pytest.mark.parametrize('page', [p for p in doc_pages() if p not in HISTORY])
def test_documented_flags_exist(page, helps):
    uses = [use for use in documented_uses() if use.page == page]
    broken = [f'{use.page}:{use.line}: {use.tool} has no {use.flag} (in: {use.command[:160]})'
              for use in uses if not in_help(use.flag, helps[help_key(use)])]
    failing_tools = {key: text[:500] for key, text in helps.items()
                     if text.startswith('(exit status')}
    assert not failing_tools, f'--help failed: {failing_tools}'
    assert not broken, '\n'.join(broken)


@pytest.mark.parametrize('page', [p for p in doc_pages() if p not in HISTORY])
def test_named_tools_exist(page):
    missing = [f'{page}:{line}: {path} does not exist'
               for line, path in named_tool_paths(ROOT, page) if not (ROOT / path).is_file()]
    assert not missing, '\n'.join(missing)


def test_the_docs_name_flags_of_the_main_tools():
    """The extraction finds flags where the docs are known to have them (not vacuous)."""
    found = {(use.tool, use.flag) for use in documented_uses()}
    assert {('tools/train.py', '--cfg-options'), ('tools/test.py', '--out'),
            ('tools/restore.py', '--model'), ('tools/restore.py', '--tile'),
            ('tools/train.py', '--skip-data-check')} <= found
    assert len(found) > 40


TOOLS = ['tools/train.py', 'tools/restore.py', 'tools/dataset_converters/prepare.py']


@pytest.mark.parametrize('command, expected', [
    ('python tools/train.py CFG --amp --cfg-options a.b=1', [('tools/train.py', '--amp'),
                                                             ('tools/train.py', '--cfg-options')]),
    ('torchrun --nproc-per-node 2 tools/train.py CFG --launcher pytorch',
     [('tools/train.py', '--launcher')]),
    ('python -m pytest tests --maxfail 1', []),
    ('pip install --no-deps -e . && .venv/bin/lfdn-restore --model derain x -o y',
     [('tools/restore.py', '--model')]),
    ('lfdn-restore --model derain x -o y | tee log --append; git log --oneline',
     [('tools/restore.py', '--model')]),
    ('lfdn-restore --model derain x -o y  # then --not-a-flag in a comment',
     [('tools/restore.py', '--model')]),
    ('python tools/dataset_converters/prepare.py gopro SRC DST --blur-dir blur_gamma',
     [('tools/dataset_converters/prepare.py', '--blur-dir')]),
])
def test_flags_go_to_the_nearest_tool_of_their_command(command, expected):
    uses = command_uses('page.md', 1, command, TOOLS)
    assert [(use.tool, use.flag) for use in uses] == expected


def test_flags_of_shell_blocks_and_inline_code_are_found(tmp_path):
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'README.md').write_text(
        '```bash\npython tools/train.py CFG \\\n    --amp\n'
        'python tools/train.py CFG [--work-dir DIR]\n    [--resume [CKPT]]\n```\n\n'
        'The check: `tools/train.py`\nruns it, `tools/train.py CFG\n--skip-data-check` skips it;\n'
        '`--tile 512` names no tool.\n')
    uses = flag_uses(tmp_path, TOOLS)
    assert [(use.line, use.tool, use.flag) for use in uses] == [
        (2, 'tools/train.py', '--amp'), (4, 'tools/train.py', '--work-dir'),
        (4, 'tools/train.py', '--resume'), (9, 'tools/train.py', '--skip-data-check')]


def test_named_tool_paths_skip_other_projects_tools(tmp_path):
    (tmp_path / 'README.md').write_text(
        '```bash\npython tools/analysis_tools/retired.py --x && bash ./tools/dist_train.sh C 8\n'
        'python $(python -c "import mmagic")/.mim/tools/train.py C\n```\n\n'
        'See `...[tools/train.py --resume]`.\n')
    assert named_tool_paths(tmp_path, 'README.md') == [
        (2, 'tools/analysis_tools/retired.py'), (2, 'tools/dist_train.sh'), (6, 'tools/train.py')]
