"""Print the ``--help`` of several tools as one JSON object, paying the heavy imports once.

    OMP_NUM_THREADS=1 python tests/test_docs/tool_help.py ROOT tools/train.py 'tools/x.py sub' ...

Each key is a tool (a path relative to ROOT), optionally followed by a word the docs put after
it; the value is what ``python ROOT/TOOL --help`` prints (stdout and stderr), and when that
word is one of the tool's subcommands (listed under its positional arguments), what
``python ROOT/TOOL SUB --help`` prints after it. torch, MMEngine, MMagic and
lfdn_mm are imported once here; every tool then runs in a child process forked from this one
(``os.fork``), with ``sys.argv`` and ``sys.path[0]`` as ``python TOOL`` would set them, so one
tool's import-time side effects never reach another.
"""
import io
import json
import os
import re
import runpy
import sys
import tempfile


def preload():
    import lfdn_mm  # noqa: F401  (torch, mmengine, mmagic's registries)
    import lfdn_mm.apis  # noqa: F401
    import lfdn_mm.cli  # noqa: F401


def subcommands(help_text):
    """The subcommands an argparse help lists: the names indented under a positional."""
    section = help_text.split('positional arguments:', 1)[-1].split('\n\n', 1)[0]
    return set(re.findall(r'^    (\w+)', section, re.MULTILINE)) if section != help_text else set()


def tool_help(root, key, cache):
    """The help of ``key`` (``TOOL`` or ``TOOL WORD``), ``cache`` keeping each run's output."""
    tool, *word = key.split()
    if tool not in cache:
        cache[tool] = run_help(root, [tool])
    if word and word[0] in subcommands(cache[tool]):
        cache[key] = cache.get(key) or cache[tool] + run_help(root, [tool, *word])
        return cache[key]
    return cache[tool]


def run_help(root, words):
    """What ``python TOOL [SUB] --help`` prints, run in a forked child."""
    tool, *sub = words
    with tempfile.TemporaryFile() as out:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(out.fileno(), 2)
                sys.stdout = io.TextIOWrapper(os.fdopen(1, 'wb', closefd=False))
                sys.stderr = sys.stdout
                path = os.path.join(root, tool)
                sys.argv = [path, *sub, '--help']
                sys.path[0] = os.path.dirname(path)
                runpy.run_path(path, run_name='__main__')
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException as error:  # report it as the tool's output
                print(f'{type(error).__name__}: {error}')
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        text = out.read().decode(errors='replace')
    if os.waitstatus_to_exitcode(status) != 0:
        text = f'(exit status {os.waitstatus_to_exitcode(status)})\n{text}'
    return text


def main(argv):
    root, keys = argv[0], argv[1:]
    os.environ['COLUMNS'] = '200'  # one line per option
    preload()
    cache = {}
    print(json.dumps({key: tool_help(root, key, cache) for key in keys}))


if __name__ == '__main__':
    main(sys.argv[1:])
