import copy
import runpy
import sys

import onnx
import pytest
import torch
from conftest import ROOT
from helpers.tiny_restorer import write_tiny_restorer

from lfdn_mm.apis.inference import load_generator
from lfdn_mm.apis.onnx_export import export_onnx, onnx_max_abs_diff
from lfdn_mm.inference import convert_for_inference
from lfdn_mm.models import ACFM, LFDN

EXPORT_TOOL = ROOT / 'tools/deployment/export_onnx.py'


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """A small LFDN with active attention scales and its ONNX export."""
    network = LFDN(num_blocks=1, encoder_channels=16, mid_channels=16,
                   global_residual=True, identity_init=False).eval()
    with torch.no_grad():
        network.alfm.theta.fill_(0.01)
        network.acfm.alpha.fill_(0.3)
    path = tmp_path_factory.mktemp('onnx') / 'lfdn.onnx'
    export_onnx(network, path)
    return network, path


def test_onnx_graph_is_valid_with_dynamic_batch_height_and_width(exported):
    _, path = exported
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    (graph_input, ) = model.graph.input
    dims = [dim.dim_param or dim.dim_value for dim in graph_input.type.tensor_type.shape.dim]
    assert dims == ['batch', 3, 'height', 'width']
    assert [p.name for p in path.parent.iterdir()] == ['lfdn.onnx']  # no temp file left


@pytest.mark.parametrize('size, batch', [((37, 53), 1), ((64, 96), 2), ((9, 130), 1)])
def test_onnx_output_matches_pytorch(exported, size, batch):
    network, path = exported
    diff = onnx_max_abs_diff(path, network, size, batch=batch)
    print(f'max |onnx - pytorch| at {size}, batch {batch}: {diff:.2e}')
    assert diff < 1e-3


def test_export_tool_writes_and_checks_a_config_checkpoint_pair(tmp_path, monkeypatch, capsys):
    config, checkpoint, saved = write_tiny_restorer(tmp_path / 'tiny')
    out = tmp_path / 'export' / 'tiny.onnx'
    monkeypatch.setattr(sys, 'argv', ['export_onnx.py', str(config), str(checkpoint),
                                      '--out', str(out)])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(EXPORT_TOOL), run_name='__main__')
    assert exit_info.value.code == 0
    message = capsys.readouterr().out
    assert f'wrote {out}; max |onnxruntime - pytorch| at 37x53: ' in message
    assert float(message.rsplit(': ', 1)[1]) < 1e-3
    assert onnx_max_abs_diff(out, saved.generator, (21, 34)) < 1e-3


def test_load_generator_needs_a_config_or_a_preset():
    with pytest.raises(ValueError, match='either a config'):
        load_generator()
    assert isinstance(load_generator(preset='blocks_1'), LFDN)


def test_a_converted_generator_is_exported_as_its_plain_modules(exported, tmp_path):
    network, path = exported
    # contiguous weights: ALFM's channels_last path (aten::mT) has no ONNX export
    converted = convert_for_inference(copy.deepcopy(network), channels_last=False)
    export_onnx(converted, tmp_path / 'converted.onnx')
    assert type(converted.acfm) is not ACFM  # switched back after the export
    plain_ops = [node.op_type for node in onnx.load(str(path)).graph.node]
    ops = [node.op_type for node in onnx.load(str(tmp_path / 'converted.onnx')).graph.node]
    assert ops == plain_ops and 'InstanceNormalization' in ops
    assert onnx_max_abs_diff(tmp_path / 'converted.onnx', network) < 1e-3
    with pytest.raises(ValueError, match='local statistics'):
        export_onnx(convert_for_inference(converted, window=5), tmp_path / 'windowed.onnx')
    assert not (tmp_path / 'windowed.onnx').exists()
