"""The ``python`` blocks of README.md, docs/*.md and configs/lfdn/README.md import what they say.

Only the import lines run (``import x``, ``from x import y``, parenthesised ones over several
lines included): the rest of a snippet needs the reader's files (``CONFIG``, ``CKPT``, images).
Config snippets also list modules in ``custom_imports``; those are imported as well, and so are
the imports of ``python -c "..."`` one-liners in shell blocks and inline code. A failing
import fails the test of its page and names the page, the line and the error.
"""
import ast
import importlib

import pytest

from test_docs.doc_sources import (ROOT, Block, doc_pages, page_commands, python_imports,
                                   split_page, tokens)


def python_blocks(page, root=ROOT):
    blocks, _ = split_page((root / page).read_text())
    return [block for block in blocks if block.language == 'python']


def custom_imports(block):
    """``(line, module)`` for the modules a config snippet's ``custom_imports`` lists."""
    try:
        tree = ast.parse(block.text)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == 'imports' \
                and isinstance(node.value, ast.List | ast.Tuple):
            found += [(block.line + node.value.lineno - 1, item.value)
                      for item in node.value.elts if isinstance(item, ast.Constant)]
    return found


def one_liner_imports(page, root=ROOT):
    """``(line, statement)`` for the imports of the page's ``python -c "..."`` commands."""
    found = []
    for line, command, _ in page_commands(root, page):
        words = tokens(command, comments=False)
        for before, code in zip(words, words[1:]):
            if before == '-c' and 'import' in code:
                found += [(line, part.strip()) for part in code.split(';')
                          if part.strip().startswith(('import ', 'from '))]
    return found


def failed_imports(page, root=ROOT):
    """``page:line: statement: error`` for every import of the page's snippets that fails."""
    failures = []
    statements = [item for block in python_blocks(page, root) for item in python_imports(block)]
    for line, statement in statements + one_liner_imports(page, root):
        try:
            exec(compile(statement, f'{page}:{line}', 'exec'), {})
        except Exception as error:  # ImportError, AttributeError, SyntaxError, ...
            failures.append(f'{page}:{line}: {statement}: {type(error).__name__}: {error}')
    for block in python_blocks(page, root):
        for line, module in custom_imports(block):
            try:
                importlib.import_module(module)
            except Exception as error:
                failures.append(f'{page}:{line}: custom_imports {module!r}: '
                                f'{type(error).__name__}: {error}')
    return failures


@pytest.mark.parametrize('page', doc_pages())
def test_snippet_imports_run(page):
    failures = failed_imports(page)
    assert not failures, '\n'.join(failures)


def test_the_pages_have_snippets_with_imports():
    """The extraction finds the snippets the pages are known to have (not vacuous)."""
    statements = [statement for page in doc_pages() for block in python_blocks(page)
                  for _, statement in python_imports(block)]
    assert any('init_restorer' in statement for statement in statements)
    assert any('read_image' in statement for statement in statements)


def test_imports_are_extracted_with_their_lines():
    block = Block('python', 10, 'import os, sys  # two\nfrom pathlib import (\n    Path,\n'
                                '    PurePath)\nx = 1\n    import json\nprint("import x")\n')
    assert python_imports(block) == [(10, 'import os, sys'),
                                     (11, 'from pathlib import (\n    Path,\n    PurePath)'),
                                     (15, 'import json')]


def test_a_bad_import_is_named_with_its_page_and_line(tmp_path):
    (tmp_path / 'README.md').write_text(
        '# x\n\n```python\nfrom lfdn_mm.apis import (\n    init_restorer,\n    no_such_name)\n'
        '```\n\n```python\ncustom_imports = dict(imports=["no_such_module_here"])\n```\n\n'
        '```bash\npython -c "import os; \\\n  from os import no_such_function; print(1)"\n```\n')
    failures = failed_imports('README.md', tmp_path)
    assert len(failures) == 3
    assert failures[0].startswith('README.md:4: from lfdn_mm.apis import (')
    assert 'ImportError' in failures[0] and 'no_such_name' in failures[0]
    assert failures[1].startswith('README.md:14: from os import no_such_function: ImportError')
    assert failures[2].startswith("README.md:10: custom_imports 'no_such_module_here'")
