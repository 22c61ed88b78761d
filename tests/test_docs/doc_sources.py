"""What the doc tests read: the Markdown pages, their fenced blocks, inline code and commands.

The pages are README.md, docs/*.md and configs/lfdn/README.md. Everything here is plain text
processing (no project import), so the tests can point it at a scratch copy of the pages.
"""
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL_LANGUAGES = {'bash', 'sh', 'shell', 'console'}
#: the command that runs tools/restore.py once the package is installed (setup.py)
ENTRY_POINTS = {'lfdn-restore': 'tools/restore.py'}
SEPARATORS = {'&&', '||', ';', '|'}
FLAG = re.compile(r'--[A-Za-z0-9][A-Za-z0-9-]*')
FENCE = re.compile(r'^(\s*)(```|~~~)\s*([\w+-]*)')
INLINE_CODE = re.compile(r'`([^`]+)`')


def doc_pages(root=ROOT):
    """The pages the doc tests cover, relative to ``root``."""
    pages = [root / 'README.md', *sorted((root / 'docs').glob('*.md')),
             root / 'configs' / 'lfdn' / 'README.md']
    return [page.relative_to(root).as_posix() for page in pages if page.is_file()]


@dataclass
class Block:
    language: str
    line: int        # line number (1-based) of the block's first content line
    text: str        # content, the fence's indentation removed


def split_page(text):
    """``(blocks, prose)``: the fenced blocks, and the other lines as ``(line number, line)``."""
    blocks, prose, current, indent = [], [], None, ''
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if current is None and fence:
            indent, current = fence.group(1), Block(fence.group(3).lower(), number + 1, '')
            lines = []
        elif current is not None and fence and not fence.group(3):
            current.text = '\n'.join(lines)
            blocks.append(current)
            current = None
        elif current is not None:
            lines.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
        else:
            prose.append((number, line))
    return blocks, prose


def prose_units(prose):
    """Paragraphs, list items and table rows of the prose lines, as ``(first line, text)``."""
    units, current = [], []
    for number, line in prose:
        stripped = line.strip()
        starts_unit = stripped.startswith('|') or re.match(r'([-*+]|\d+\.)\s', stripped)
        if current and (not stripped or starts_unit or current[-1][1].startswith('|')):
            units.append(current)
            current = []
        if stripped:
            current.append((number, stripped))
    if current:
        units.append(current)
    return [(unit[0][0], ' '.join(text for _, text in unit)) for unit in units]


def inline_spans(prose):
    """``(line, code)`` for every inline code span of the prose, a span broken over lines
    joined by a space; ``line`` is where the span starts."""
    spans = []
    for first, text in prose_units(prose):
        for match in INLINE_CODE.finditer(text):
            # prose_units joins the unit's lines by one space: count the joins before the span
            spans.append((first + line_breaks(prose, first, text[:match.start()]),
                          match.group(1)))
    return spans


def line_breaks(prose, first, prefix):
    """How many of the unit's lines starting at ``first`` end before ``prefix`` does."""
    lines = [line.strip() for number, line in prose if number >= first]
    consumed, breaks = len(lines[0]), 0
    while consumed < len(prefix) and breaks + 1 < len(lines):
        breaks += 1
        consumed += 1 + len(lines[breaks])
    return breaks


def logical_lines(block):
    """The commands of a shell block as ``(line, text)``: backslash continuations joined, and
    the indented ``[--option ...]`` lines of a usage synopsis joined to the line above."""
    joined, start, pending = [], None, ''
    for offset, line in enumerate(block.text.splitlines()):
        if joined and not pending and re.match(r'\s+\[-', line):
            joined[-1] = (joined[-1][0], f'{joined[-1][1]} {line.strip()}')
            continue
        start = block.line + offset if start is None else start
        if line.rstrip().endswith('\\'):
            pending += line.rstrip()[:-1] + ' '
            continue
        joined.append((start, pending + line))
        start, pending = None, ''
    if pending:
        joined.append((start, pending))
    return joined


def tokens(command, comments=True):
    """Shell words of ``command``; ``&&``, ``||``, ``;`` and ``|`` are words of their own."""
    try:
        words = shlex.split(command, comments=comments)
    except ValueError:  # unbalanced quotes, e.g. $(python -c "...") cut by a line break
        words = (command.split('#', 1)[0] if comments else command).split()
    out = []
    for word in words:
        if word.endswith(';') and word != ';':
            out += [word[:-1], ';']
        else:
            out.append(word)
    return out


def tool_of(word, tools):
    """The tool (a path relative to the root) that ``word`` runs, or None."""
    word = word.strip('[]()"\'').removeprefix('./')
    if word in tools:
        return word
    name = word.rsplit('/', 1)[-1]
    if name in ENTRY_POINTS:
        return ENTRY_POINTS[name]
    matches = [tool for tool in tools if tool.rsplit('/', 1)[-1] == name]
    return matches[0] if len(matches) == 1 and '/' not in word else None


def flag_of(word):
    """The ``--flag`` that ``word`` spells (``[--amp``, ``--tile=512``, ``--x]``), or None."""
    match = FLAG.fullmatch(word.strip('[](),"\'').split('=', 1)[0])
    return match.group(0) if match else None


@dataclass(frozen=True)
class Use:
    """One ``--flag`` named for one tool, and where the page names it."""
    page: str
    line: int
    tool: str
    subcommand: str | None
    flag: str
    command: str


def command_uses(page, line, command, tools, comments=True):
    """The flags of one logical command line, each given to the nearest tool before it.

    A flag before any tool, or after ``&&``/``;``/``|`` ends that tool's command, belongs to
    another program (pip, pytest, torchrun, git, ...) and is not returned. A plain word right
    after the tool (``prepare.py gopro``) is kept as the tool's possible subcommand.
    """
    uses, tool, subcommand, words = [], None, None, tokens(command, comments)
    for index, word in enumerate(words):
        if word in SEPARATORS:
            tool = None
        elif tool_of(word, tools):
            tool = tool_of(word, tools)
            following = words[index + 1] if index + 1 < len(words) else ''
            subcommand = following if re.fullmatch(r'[a-z][a-z0-9_]*', following) else None
        elif tool and flag_of(word):
            uses.append(Use(page, line, tool, subcommand, flag_of(word), command.strip()))
    return uses


def page_commands(root, page):
    """``(line, command, comments)`` for each logical line of the page's shell blocks (where
    ``#`` starts a comment) and each inline code span of its prose (where it does not)."""
    blocks, prose = split_page((root / page).read_text())
    commands = [(line, command, True) for block in blocks if block.language in SHELL_LANGUAGES
                for line, command in logical_lines(block)]
    return commands + [(line, span, False) for line, span in inline_spans(prose)]


def flag_uses(root, tools):
    """Every ``--flag`` that README.md, docs/*.md and configs/lfdn/README.md give a tool:
    in shell blocks each logical line is a command, in prose each inline code span is one
    (`tools/train.py --skip-data-check`); a span of flags alone (`--tile 512`) names no tool
    and is not checked."""
    return [use for page in doc_pages(root)
            for line, command, comments in page_commands(root, page)
            for use in command_uses(page, line, command, tools, comments)]


def named_tool_paths(root, page):
    """``(line, path)`` for every ``tools/...`` script a page's commands or inline code name."""
    path = re.compile(r'(?:^|[\s\[("\'=]|(?<![\w/.])\./)(tools/[\w/.-]+?\.(?:py|sh))\b')
    return [(line, match.group(1)) for line, command, _ in page_commands(root, page)
            for match in path.finditer(command)]


def known_tools(root=ROOT):
    """The programs under tools/ whose flags the docs may name, relative to ``root``."""
    scripts = [*(root / 'tools').glob('*.py'), *(root / 'tools').glob('*/*.py')]
    return sorted(p.relative_to(root).as_posix() for p in scripts if p.name != '__init__.py')


def python_imports(block):
    """The import statements of a ``python`` block as ``(line, source)``, multi-line
    parenthesised imports included. Lines that are not imports are never run."""
    lines, found, index = block.text.splitlines(), [], 0
    while index < len(lines):
        line = lines[index]
        if re.match(r'\s*(import\s+\w|from\s+[\w.]+\s+import\b)', line):
            start, statement = index, line.split('#', 1)[0].rstrip()
            while (statement.count('(') > statement.count(')') or statement.endswith('\\')) \
                    and index + 1 < len(lines):
                index += 1
                statement = statement.removesuffix('\\') + '\n' + lines[index].split('#', 1)[0]
            found.append((block.line + start, statement.strip()))
        index += 1
    return found
