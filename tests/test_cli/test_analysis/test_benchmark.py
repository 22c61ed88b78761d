import json
import math

import pytest

from helpers.tool_modules import load_tool
from lfdn_mm.cli.analysis.benchmark import BenchmarkSettings, compare, plan_repeats
from lfdn_mm.cli.analysis.measure import parse_size, round_robin, summarise_latency

pytestmark = pytest.mark.slow

benchmark_tool = load_tool('analysis_tools/benchmark')

RECORD_FIELDS = {'model', 'dtype', 'memory_format', 'size', 'status', 'skip_reason',
                 'latency_ms', 'throughput_ips', 'peak_memory_mb', 'memory_growth_mb',
                 'memory_method'}
LATENCY_FIELDS = {'median', 'q1', 'q3', 'iqr', 'min', 'max', 'mean', 'repeats'}


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp('benchmark')
    benchmark_tool.main(['--models', 'lfdn', 'nafnet-w8-tiny', '--sizes', '32x32', '48x32',
                         '--repeats', '1', '--warmup', '1', '--out-dir', str(out_dir),
                         '--name', 'tiny'])
    return out_dir


def test_tiny_benchmark_writes_json_with_every_field(tiny_run):
    result = json.loads((tiny_run / 'tiny.json').read_text())
    assert set(result) == {'machine', 'settings', 'models', 'results', 'comparisons', 'command'}
    assert result['machine']['torch_threads'] >= 1 and result['machine']['cpu']
    assert set(result['models']) == {'lfdn', 'nafnet-w8-tiny'}
    lfdn = result['models']['lfdn']
    assert lfdn['params'] == 1_588_142
    assert lfdn['macs']['32x32'] > 0 and lfdn['macs']['48x32'] > lfdn['macs']['32x32']
    assert lfdn['published_psnr']['GoPro'] == pytest.approx(31.60)
    assert len(result['results']) == 4
    for record in result['results']:
        assert set(record) == RECORD_FIELDS
        assert record['status'] == 'ok', record
        assert set(record['latency_ms']) == LATENCY_FIELDS
        assert record['latency_ms']['repeats'] == 1
        assert record['latency_ms']['median'] > 0 and record['throughput_ips'] > 0
        assert record['peak_memory_mb'] > 0 and record['memory_growth_mb'] >= 0
        assert record['memory_method'].startswith('VmHWM')
    (comparison,) = [c for c in result['comparisons'] if c['size'] == '32x32']
    assert comparison['model'] == 'nafnet-w8-tiny' and comparison['reference'] == 'lfdn'
    assert comparison['efficiency'] == pytest.approx(
        comparison['latency_ratio'] / comparison['mac_ratio'])


def test_tiny_benchmark_writes_markdown_and_plots(tiny_run):
    report = (tiny_run / 'tiny.md').read_text()
    assert '## 32x32 (width x height)' in report and '| nafnet-w8-tiny |' in report
    assert '## Against lfdn' in report
    assert '| lfdn | 31.60 | 32.79 |' in report  # published PSNRs, GoPro and Rain100L
    png = (tiny_run / 'tiny_latency_vs_params.png').read_bytes()
    assert png.startswith(b'\x89PNG') and len(png) < 200_000


def test_predicted_overruns_are_skipped_and_reported(tmp_path):
    benchmark_tool.main(['--models', 'nafnet-w8-tiny', '--sizes', '16x16', '2048x2048',
                         '--repeats', '1', '--warmup', '1', '--time-budget', '1e-4',
                         '--no-memory', '--out-dir', str(tmp_path)])
    result = json.loads((tmp_path / 'benchmark.json').read_text())
    small, large = result['results']
    assert small['status'] == 'ok' and large['status'] == 'skipped'
    assert 'budget' in large['skip_reason'] and large['latency_ms'] is None
    report = (tmp_path / 'benchmark.md').read_text()
    assert '## Skipped' in report and '| nafnet-w8-tiny | fp32 | contiguous | 2048x2048 |' in report


def test_repeats_fit_the_budget_but_never_drop_to_zero():
    settings = BenchmarkSettings(repeats=10, time_budget=10.0)
    assert plan_repeats([1.0, 1.0], settings) == 8
    assert plan_repeats([0.01], settings) == 10
    assert plan_repeats([30.0], settings) == 1


def test_round_robin_interleaves_and_honours_each_repeat_count():
    calls = []
    times = round_robin({'a': lambda: calls.append('a'), 'b': lambda: calls.append('b')},
                        dict(a=3, b=1))
    assert calls == ['a', 'b', 'a', 'a']
    assert [len(times['a']), len(times['b'])] == [3, 1] and min(times['a']) >= 0


def test_latency_summary_quartiles():
    summary = summarise_latency([0.001, 0.002, 0.003, 0.004, 0.010])
    assert summary['median'] == pytest.approx(3.0)
    assert summary['q1'] == pytest.approx(2.0) and summary['q3'] == pytest.approx(4.0)
    assert summary['min'] == pytest.approx(1.0) and summary['max'] == pytest.approx(10.0)
    assert summary['repeats'] == 5


def test_comparison_ratios():
    models = {'lfdn': {'macs': {'8x8': 10}}, 'big': {'macs': {'8x8': 100}}}

    def record(model, median, fastest):
        return dict(model=model, dtype='fp32', memory_format='contiguous', size='8x8',
                    status='ok', latency_ms=dict(median=median, min=fastest))

    (row,) = compare([record('lfdn', 2.0, 1.0), record('big', 16.0, 12.0)], models, 'lfdn')
    assert row['mac_ratio'] == 10 and row['latency_ratio'] == 8
    assert math.isclose(row['efficiency'], 0.8) and math.isclose(row['min_efficiency'], 1.2)


@pytest.mark.parametrize('text, size', [('1280x720', (720, 1280)), ('256', (256, 256))])
def test_sizes_are_width_by_height(text, size):
    assert parse_size(text) == size


def test_bad_settings_are_rejected():
    with pytest.raises(KeyError, match='unknown model'):
        BenchmarkSettings(models=('lfdn', 'swinir')).validate()
    with pytest.raises(ValueError, match='dtype or memory format'):
        BenchmarkSettings(dtypes=('int8',)).validate()
    with pytest.raises(ValueError, match='WIDTHxHEIGHT'):
        parse_size('12x')


def test_inference_paths_are_timed_side_by_side(tmp_path):
    from helpers.tiny_restorer import write_tiny_restorer
    config, checkpoint, _ = write_tiny_restorer(tmp_path / 'model')
    load_tool('analysis_tools/benchmark').main([
        '--paths', 'plain', 'default', 'onnxruntime', '--restorer-config', str(config),
        str(checkpoint), '--sizes', '48x40', '160x96', '--tile-above', '48x40', '--tile', '64',
        '--repeats', '2', '--out-dir', str(tmp_path / 'out'), '--name', 'paths'])
    result = json.loads((tmp_path / 'out' / 'paths.json').read_text())
    assert result['paths'] == ['plain', 'default', 'onnxruntime']
    by_key = {(r['path'], r['size']): r for r in result['results']}
    assert set(by_key) == {(p, s) for p in result['paths'] for s in ('48x40', '160x96')}
    assert by_key['plain', '48x40']['ratio_to_plain'] == 1.0
    assert by_key['plain', '160x96']['tile_size'] == 64
    assert by_key['plain', '48x40']['tile_size'] == 0
    assert by_key['plain', '48x40']['latency_ms']['repeats'] == 2
    assert by_key['plain', '160x96']['latency_ms']['repeats'] == 1
    for record in result['results']:
        assert record['identical_pixels'] >= 0.99 and record['latency_ms']['median'] > 0
    assert result['macs']['160x96'] > result['macs']['48x40'] > 0
    assert '| 160x96 (tiles 64) | onnxruntime |' in (tmp_path / 'out' / 'paths.md').read_text()
    assert (tmp_path / 'out' / 'paths.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_reduced_precision_paths_need_native_support(monkeypatch):
    from lfdn_mm.cli.analysis import inference_paths
    monkeypatch.setattr(inference_paths, 'cpu_has_native_bf16', lambda: False)
    assert inference_paths.offered_paths(['plain', 'bf16']) == ['plain']
    monkeypatch.setattr(inference_paths, 'cpu_has_native_bf16', lambda: True)
    assert inference_paths.offered_paths(['plain', 'bf16']) == ['plain', 'bf16']
    assert inference_paths.peak_fp32_flops(2)['assumption'].startswith('2 cores x ')


def test_published_psnr_is_read_from_the_metafiles(tmp_path):
    from lfdn_mm.cli.analysis.model_zoo import get_spec, published_psnr
    assert get_spec('nafnet-w64').published_psnr == {'GoPro': pytest.approx(33.7246)}
    assert get_spec('restormer').published_psnr['Rain100L'] == pytest.approx(39.1023)
    assert get_spec('lfdn').published_psnr['Rain100L'] == pytest.approx(32.79)
    metafile = tmp_path / 'metafile.yml'
    metafile.write_text('Models:\n- Name: a\n  Results:\n  - Dataset: GoPro (test)\n'
                        '    Metrics: {PSNR/SSIM (RGB): {PSNR: 30.5, SSIM: 0.9}}\n'
                        '- Name: b\n  Results:\n  - Dataset: HIDE\n    Metrics: {PSNR: 29.0}\n')
    assert published_psnr(metafile, ('a', )) == {'GoPro': 30.5}
