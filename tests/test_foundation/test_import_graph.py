"""The package's modules import each other in one direction: no circles, at any depth, and the
paper (``lfdn_mm.models``) never imports the inference engine (``lfdn_mm.inference``)."""
import ast

from conftest import ROOT

PACKAGE = ROOT / 'lfdn_mm'


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def modules():
    return {module_name(path): path for path in PACKAGE.rglob('*.py')
            if '.mim' not in path.parts}


def imported(path, name, known):
    """The package modules that ``path`` (module ``name``) imports, wherever the import is."""
    package = name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.rsplit('.', node.level - 1)[0] if node.level > 1 else package
                base = f'{anchor}.{base}' if base else anchor
            for alias in node.names:
                target = f'{base}.{alias.name}'
                found.add(target if target in known else base)
    return {target for target in found if target in known and target != name}


def import_graph():
    known = modules()
    return {name: imported(path, name, known) for name, path in known.items()}


def find_cycle(graph):
    """One import circle as a list of modules, or None."""
    state = {}

    def visit(node, trail):
        state[node] = 'open'
        for child in sorted(graph[node]):
            if state.get(child) == 'open':
                return trail[trail.index(child):] + [child]
            if child not in state:
                cycle = visit(child, trail + [child])
                if cycle:
                    return cycle
        state[node] = 'done'
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_no_module_imports_itself_back():
    cycle = find_cycle(import_graph())
    assert cycle is None, 'import circle: ' + ' -> '.join(cycle)


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None


def in_package(name, package):
    return name == package or name.startswith(package + '.')


def test_the_models_never_import_the_inference_package():
    graph = import_graph()
    models = [name for name in graph if in_package(name, 'lfdn_mm.models')]
    assert len(models) >= 8
    assert any(in_package(name, 'lfdn_mm.inference') for name in graph)
    offenders = {name: sorted(t for t in graph[name] if in_package(t, 'lfdn_mm.inference'))
                 for name in models}
    assert {name: targets for name, targets in offenders.items() if targets} == {}


def test_the_import_walker_sees_imports_inside_functions(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text('def f():\n    from ..inference import tiling\n')
    known = {'lfdn_mm.models.m', 'lfdn_mm.inference', 'lfdn_mm.inference.tiling'}
    assert imported(path, 'lfdn_mm.models.m', known) == {'lfdn_mm.inference.tiling'}
