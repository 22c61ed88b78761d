"""A checkpoint whose pickle would run code is refused by every command and API that loads one.

The hostile checkpoint looks like mmengine's (``meta``, a real ``state_dict``, ``message_hub``)
with a payload in ``meta`` that creates a marker file when unpickled. Each load path must stop
with an error naming the file and the refused object, and the marker must never appear.
"""
import functools
import http.server
import importlib.util
import os
import pathlib
import shlex
import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest
import torch
from conftest import ROOT
from helpers.tiny_restorer import write_tiny_restorer
from mmengine.logging import HistoryBuffer

from lfdn_mm.utils import CheckpointError, UnsafeCheckpointError, check_checkpoint

REFUSAL = 'refusing to load checkpoint'


class RunsCode:
    """Unpickles as ``function(*args)``: what a hostile checkpoint hides."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


PAYLOADS = {
    'os.system': lambda marker: RunsCode(os.system, f'touch {shlex.quote(str(marker))}'),
    'Path.touch': lambda marker: RunsCode(pathlib.Path.touch, marker),
    'eval': lambda marker: RunsCode(eval, f'open({str(marker)!r}, "w")'),
    # allowed getattr stand-in, asked for something other than a HistoryBuffer statistic
    'getattr': lambda marker: RunsCode(getattr, HistoryBuffer, '__init__'),
}


def load_tool(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_hostile_checkpoint(path, state_dict, payload):
    torch.save(dict(meta=dict(iter=1, seed=payload), state_dict=state_dict,
                    message_hub=dict(log_scalars={})), path)
    return path


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    config, checkpoint, model = write_tiny_restorer(tmp_path_factory.mktemp('tiny'))
    return str(config), str(checkpoint), model.state_dict()


@pytest.fixture
def hostile(tiny, tmp_path):
    """``(checkpoint, marker)``: a checkpoint that runs ``touch marker`` when unpickled."""
    marker = tmp_path / 'code_ran'
    checkpoint = write_hostile_checkpoint(tmp_path / 'iter_1.pth', tiny[2],
                                          PAYLOADS['os.system'](marker))
    return checkpoint, marker


def test_the_payload_runs_when_unpickled_without_weights_only(tiny, tmp_path):
    marker = tmp_path / 'code_ran'
    checkpoint = write_hostile_checkpoint(tmp_path / 'c.pth', tiny[2],
                                          PAYLOADS['Path.touch'](marker))
    torch.load(checkpoint, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize('payload', PAYLOADS)
def test_check_checkpoint_names_the_refused_object(payload, tiny, tmp_path):
    marker = tmp_path / 'code_ran'
    checkpoint = write_hostile_checkpoint(tmp_path / 'c.pth', tiny[2],
                                          PAYLOADS[payload](marker))
    with pytest.raises(UnsafeCheckpointError) as error:
        check_checkpoint(checkpoint)
    refused = {'os.system': 'posix.system', 'Path.touch': 'pathlib.Path', 'eval': 'eval',
               'getattr': 'refusing getattr'}[payload]
    message = str(error.value)
    assert message.startswith(f'{REFUSAL} {checkpoint}: it holds pickled objects that are '
                              'not weights and could run code (')
    assert refused in message and 'add_safe_globals' not in message
    assert not marker.exists()


def run_test_tool(config, checkpoint, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_tool(ROOT / 'tools/test.py').main([config, str(checkpoint), '--work-dir',
                                                 str(tmp_path / 'work')])
    return str(exit_info.value.code)


def run_train_tool_resume_from(config, checkpoint, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_tool(ROOT / 'tools/train.py').main([config, '--resume', str(checkpoint),
                                                  '--work-dir', str(tmp_path / 'work')])
    return str(exit_info.value.code)


def run_train_tool_resume_latest(config, checkpoint, tmp_path, capsys):
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    (work_dir / 'last_checkpoint').write_text(str(checkpoint))
    with pytest.raises(SystemExit) as exit_info:
        load_tool(ROOT / 'tools/train.py').main([config, '--resume', '--work-dir',
                                                  str(work_dir)])
    return str(exit_info.value.code)


def run_restore_command(config, checkpoint, tmp_path, capsys):
    from lfdn_mm.cli import restore as restore_cli
    image = tmp_path / 'rainy.png'
    cv2.imwrite(str(image), np.full((8, 8, 3), 128, np.uint8))
    out = tmp_path / 'restored'
    assert restore_cli.main([config, str(checkpoint), str(image), '-o', str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err


def run_export_onnx_tool(config, checkpoint, tmp_path, capsys):
    tool = load_tool(ROOT / 'tools/deployment/export_onnx.py')
    out = tmp_path / 'lfdn.onnx'
    assert tool.main([config, str(checkpoint), '--out', str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err


def raised_by(load):
    def run(config, checkpoint, tmp_path, capsys):
        with pytest.raises(CheckpointError) as error:
            load(config, str(checkpoint))
        return str(error.value)
    return run


def init_restorer(config, checkpoint):
    from lfdn_mm.apis.inference import init_restorer
    init_restorer(config, checkpoint, device='cpu')


def lfdn_inferencer(config, checkpoint):
    from lfdn_mm.apis.inferencer import LFDNInferencer
    LFDNInferencer(config, checkpoint, device='cpu')


def mmagic_init_model(config, checkpoint):
    from mmagic.apis import init_model
    init_model(config, checkpoint, device='cpu')


LOAD_PATHS = {
    'tools/test.py': run_test_tool,
    'tools/train.py --resume CKPT': run_train_tool_resume_from,
    'tools/train.py --resume (last_checkpoint)': run_train_tool_resume_latest,
    'lfdn-restore': run_restore_command,
    'tools/deployment/export_onnx.py': run_export_onnx_tool,
    'init_restorer': raised_by(init_restorer),
    'LFDNInferencer': raised_by(lfdn_inferencer),
    'mmagic.apis.init_model': raised_by(mmagic_init_model),
}


@pytest.mark.parametrize('path', LOAD_PATHS)
def test_every_load_path_refuses_a_checkpoint_that_runs_code(path, tiny, hostile, tmp_path,
                                                             capsys, monkeypatch):
    checkpoint, marker = hostile
    # a value that would switch torch.load to full unpickling where weights_only is not given
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    message = LOAD_PATHS[path](tiny[0], checkpoint, tmp_path, capsys)
    assert f'{REFUSAL} {checkpoint}: it holds pickled objects that are not weights' in message
    assert 'posix.system' in message
    assert not marker.exists()


def test_mmengine_loader_still_loads_genuine_checkpoints(tiny, monkeypatch):
    from mmagic.apis import init_model
    config, checkpoint, state_dict = tiny
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    model = init_model(config, checkpoint, device='cpu')
    assert all(torch.equal(model.state_dict()[name], value)
               for name, value in state_dict.items())


@pytest.fixture
def served(tmp_path, monkeypatch):
    """``(url_of, folder)``: an HTTP server on localhost serving ``folder``."""
    folder = tmp_path / 'served'
    folder.mkdir()

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))  # torch.hub's download cache
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    yield (lambda name: f'http://127.0.0.1:{server.server_port}/{name}'), folder
    server.shutdown()
    server.server_close()


def test_checkpoint_urls_are_loaded_weights_only(tiny, hostile, served, monkeypatch):
    """mmengine's own URL loader would unpickle the download with ``weights_only=False``."""
    from mmagic.apis import init_model
    config, checkpoint, state_dict = tiny
    url_of, folder = served
    hostile_checkpoint, marker = hostile
    os.link(hostile_checkpoint, folder / 'hostile.pth')
    os.link(checkpoint, folder / 'genuine.pth')
    with pytest.raises(UnsafeCheckpointError, match=f'{REFUSAL} {url_of("hostile.pth")}: '):
        init_model(config, url_of('hostile.pth'), device='cpu')
    assert not marker.exists()
    model = init_model(config, url_of('genuine.pth'), device='cpu')
    assert all(torch.equal(model.state_dict()[name], value)
               for name, value in state_dict.items())


def test_config_import_protects_a_fresh_process(tiny, hostile):
    """Nothing imports lfdn_mm but the config's ``custom_imports``, before the load."""
    checkpoint, marker = hostile
    code = ('import sys; from mmagic.apis import init_model; '
            'init_model(sys.argv[1], sys.argv[2], device="cpu")')
    result = subprocess.run([sys.executable, '-c', code, tiny[0], str(checkpoint)],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD': '1'})
    assert result.returncode != 0
    assert f'UnsafeCheckpointError: {REFUSAL} {checkpoint}' in result.stderr
    assert not marker.exists()
