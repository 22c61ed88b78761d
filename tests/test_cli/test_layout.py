"""The library/application split: programs import ``lfdn_mm.cli``, the library never does."""
import ast
from pathlib import Path

import lfdn_mm
import lfdn_mm.apis

PACKAGE = Path(lfdn_mm.__file__).parent


def imported_modules(path):
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit('.', node.level - 1)[0] if node.level else ''
            module = '.'.join(filter(None, [base, node.module]))
            yield module
            yield from (f'{module}.{alias.name}' for alias in node.names)


def test_library_modules_never_import_the_application_package():
    library = [path for path in PACKAGE.rglob('*.py')
               if 'cli' not in path.relative_to(PACKAGE).parts[:1] and '.mim' not in path.parts]
    assert len(library) > 30
    offenders = sorted(str(path.relative_to(PACKAGE)) for path in library
                       if any(name.startswith('lfdn_mm.cli') for name in imported_modules(path)))
    assert offenders == []


def test_resolving_relative_imports_finds_the_cli_package():
    names = set(imported_modules(PACKAGE / 'cli' / 'restore.py'))
    assert 'lfdn_mm.apis.inference' in names and 'lfdn_mm.pretrained' in names


def test_apis_exports_the_inference_api_and_no_launch_helpers():
    assert {'init_restorer', 'restore_image', 'restore_files', 'LFDNInferencer',
            'export_onnx'} <= set(lfdn_mm.apis.__all__)
    assert not hasattr(lfdn_mm.apis, 'build_runner')
