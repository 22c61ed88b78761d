"""Import a script under tools/ as a module, so tests can call its functions."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_tool(relative_path):
    """The module of ``tools/<relative_path>.py`` (e.g. ``'analysis_tools/benchmark'``)."""
    path = ROOT / 'tools' / f'{relative_path}.py'
    name = 'tool_' + relative_path.replace('/', '_')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
