"""``import lfdn_mm`` changes nothing outside the package but MMagic's registries and a new
``lfdn://`` checkpoint scheme; the weights-only loaders are one call away, and MMagic's own
models still save and resume with the package imported."""
import json
import subprocess
import sys

import pytest
import torch

from conftest import ROOT
from helpers.tiny_configs import write_tiny_config
from helpers.tool_modules import load_tool

SNAPSHOTS = '''
import json, warnings
import mmagic.models, mmagic.datasets, mmagic.engine, torch  # the dependencies, imported first
from mmengine.runner import CheckpointLoader

def snapshot():
    return dict(
        schemes={prefix: loader.__module__ + '.' + loader.__qualname__
                 for prefix, loader in CheckpointLoader._schemes.items()},
        safe_globals=sorted(map(str, torch.serialization.get_safe_globals())),
        warning_filters=[repr(f) for f in warnings.filters])

before = snapshot()
import lfdn_mm
imported = snapshot()
{enable}
enabled = snapshot()
print(json.dumps(dict(before=before, imported=imported, enabled=enabled)))
'''


def snapshots(enable):
    result = subprocess.run([sys.executable, '-c', SNAPSHOTS.replace('{enable}', enable)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_changes_no_loader_allow_list_or_warning_filter_until_asked():
    states = snapshots('lfdn_mm.enable_safe_checkpoint_loading()')
    before, imported, enabled = states['before'], states['imported'], states['enabled']
    added = {prefix: loader for prefix, loader in imported['schemes'].items()
             if prefix not in before['schemes']}
    assert added == {'lfdn://': 'lfdn_mm.pretrained.load_from_lfdn_scheme'}
    assert {p: imported['schemes'][p] for p in before['schemes']} == before['schemes']
    assert imported['safe_globals'] == before['safe_globals']
    assert imported['warning_filters'] == before['warning_filters']

    assert enabled['schemes'][''] == 'lfdn_mm.utils.checkpoint_files.load_from_local_weights_only'
    assert enabled['schemes']['https://'] == 'lfdn_mm.utils.checkpoint_files.load_url_weights_only'
    assert any('HistoryBuffer' in name for name in enabled['safe_globals'])


def test_the_programs_package_enables_the_safe_loaders_and_hides_the_known_warnings():
    states = snapshots('import lfdn_mm.cli')
    assert states['enabled']['schemes'][''].startswith('lfdn_mm.utils.checkpoint_files.')
    assert len(states['enabled']['warning_filters']) > len(states['imported']['warning_filters'])


def test_a_config_asks_for_the_safe_loaders_through_custom_imports():
    states = snapshots('import lfdn_mm.safe_checkpoints')
    assert states['enabled']['schemes'][''] == \
        'lfdn_mm.utils.checkpoint_files.load_from_local_weights_only'
    from mmengine.config import Config
    runtime = Config.fromfile(str(ROOT / 'configs' / '_base_' / 'lfdn_runtime.py'))
    assert runtime.custom_imports.imports == ['lfdn_mm', 'lfdn_mm.safe_checkpoints']


@pytest.mark.slow
def test_mmagic_nafnet_saves_and_resumes_with_lfdn_mm_imported(tmp_path, tiny_demo, capsys):
    train = load_tool('train')  # the entry point, run in this process
    base = ROOT / 'configs' / 'mixing' / 'nafnet-in-lfdn_c16_1xb8-lr5e-4-600i_paired-derain.py'
    tiny = ("model = dict(generator=dict(mid_channels=8, enc_blk_nums=[1, 1], "
            "middle_blk_num=1, dec_blk_nums=[1, 1]))")
    work_dir = tmp_path / 'work'
    for name, iters, resume in (('first', 2, []), ('longer', 4, ['--resume'])):
        config = write_tiny_config(tmp_path / f'{name}.py', tiny_demo, base=base,
                                   max_iters=iters, extra=tiny)
        train.main([str(config), '--work-dir', str(work_dir), *resume])
    assert 'resumed epoch: 0, iter: 2' in capsys.readouterr().out + read_logs(work_dir)
    state = torch.load(work_dir / 'iter_4.pth', weights_only=True)
    assert state['meta']['iter'] == 4
    assert any(key.startswith('generator.intro') for key in state['state_dict'])  # NAFNet's


def read_logs(work_dir):
    return ''.join(path.read_text() for path in work_dir.rglob('*.log'))


def test_a_scoped_load_leaves_the_allow_list_as_it_was():
    from mmengine.logging import HistoryBuffer

    from lfdn_mm.utils import allowing_mmengine_checkpoints
    before = torch.serialization.get_safe_globals()
    with allowing_mmengine_checkpoints():
        assert HistoryBuffer in torch.serialization.get_safe_globals()
    assert torch.serialization.get_safe_globals() == before
