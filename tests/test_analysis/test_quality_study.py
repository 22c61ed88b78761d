import json
from pathlib import Path

import pytest

from conftest import ROOT
from helpers.tool_modules import load_tool
from lfdn_mm.analysis.quality_study import (StudySettings, read_training_log, split_metrics,
                                            study_config, study_generator_cfg)
from lfdn_mm.datasets import make_demo_set


@pytest.fixture(scope='module')
def study_run(tmp_path_factory):
    root = tmp_path_factory.mktemp('study')
    make_demo_set(root / 'demo', num_train=4, num_val=2, crop_size=48)
    out_dir = root / 'report'
    load_tool('analysis_tools/quality_study').main([
        '--models', 'lfdn', 'nafnet-w8-tiny', '--max-iters', '2', '--batch-size', '2',
        '--crop-size', '32', '--log-interval', '1', '--data-root', str(root / 'demo'),
        '--test-folder', str(root / 'demo' / 'val'), '--work-dir', str(root / 'work'),
        '--out-dir', str(out_dir)])
    return out_dir


def test_two_iteration_study_writes_its_table(study_run):
    result = json.loads((study_run / 'quality_study.json').read_text())
    assert result['settings']['max_iters'] == 2
    assert list(result['datasets']) == ['Demo', 'val']
    assert [row['model'] for row in result['rows']] == ['lfdn', 'nafnet-w8-tiny']
    for row in result['rows']:
        assert [step for step, _ in row['loss_curve']] == [1, 2]
        assert row['final_loss'] > 0 and row['params'] > 0 and row['macs_per_crop'] > 0
        assert row['seconds_per_iter'] > 0
        for dataset in ('Demo', 'val'):
            assert set(row['metrics'][dataset]) == {'PSNR', 'SSIM'}
            assert 0 < row['metrics'][dataset]['SSIM'] <= 1
    # the same images tested twice under two names score the same
    assert result['rows'][0]['metrics']['Demo'] == result['rows'][0]['metrics']['val']
    assert result['rows'][0]['generator']['global_residual'] is True
    assert set(result['input']) == {'Demo', 'val'}
    table = (study_run / 'quality_study.md').read_text()
    assert '| input (no restoration) |' in table and '| nafnet-w8-tiny |' in table
    assert 'Demo PSNR' in table and 'val SSIM' in table
    assert (study_run / 'quality_study_loss.png').read_bytes().startswith(b'\x89PNG')


def test_input_row_is_mmagic_psnr_of_the_degraded_images(study_run):
    from mmagic.evaluation.metrics import psnr

    from lfdn_mm.utils import read_rgb
    result = json.loads((study_run / 'quality_study.json').read_text())
    val = Path(result['datasets']['Demo'])
    names = sorted(p.name for p in (val / 'input').glob('*.png'))
    expected = sum(psnr(read_rgb(val / 'input' / n), read_rgb(val / 'target' / n),
                        convert_to='Y') for n in names) / len(names)
    assert result['input']['Demo']['PSNR'] == pytest.approx(expected, abs=1e-4)


def test_only_the_generator_and_budget_change(tmp_path):
    settings = StudySettings(max_iters=7, batch_size=3, crop_size=40, work_dir=str(tmp_path),
                             data_root=str(tmp_path / 'demo'))
    lfdn = study_config('lfdn', study_generator_cfg('lfdn', settings), settings)
    nafnet = study_config('nafnet-w16', study_generator_cfg('nafnet-w16', settings), settings)
    assert lfdn.model.generator.type == 'LFDNPreset'
    assert nafnet.model.generator.type == 'NAFNetLocal'
    assert nafnet.model.generator.train_size == (1, 3, 40, 40)
    for cfg in (lfdn, nafnet):
        assert cfg.train_cfg.max_iters == 7 and cfg.train_dataloader.batch_size == 3
        crops = [s for s in cfg.train_dataloader.dataset.pipeline
                 if s['type'] == 'PairedRandomCrop']
        assert crops[0]['gt_patch_size'] == 40
    assert lfdn.model.pixel_loss == nafnet.model.pixel_loss
    assert lfdn.optim_wrapper == nafnet.optim_wrapper
    assert lfdn.experiment_name != nafnet.experiment_name


def test_missing_test_folder_is_reported(tmp_path):
    settings = StudySettings(test_folders=(str(tmp_path / 'nowhere'),),
                             data_root=str(tmp_path / 'demo'))
    with pytest.raises(FileNotFoundError, match='needs input/ and target/'):
        study_config('lfdn', study_generator_cfg('lfdn', settings), settings)


def test_training_log_and_metric_parsing(tmp_path):
    vis = tmp_path / 'vis_data'
    vis.mkdir()
    (vis / 'scalars.json').write_text(
        '{"lr": 0.1, "loss": 0.5, "time": 0.4, "step": 1}\n{"lr": 0.1, "step": 2}\n'
        '{"loss": 0.25, "time": 9.0, "step": 3}\n{"loss": 0.2, "time": 0.5, "step": 4}\n')
    assert read_training_log(tmp_path) == dict(
        loss_curve=[(1, 0.5), (3, 0.25), (4, 0.2)], seconds_per_iter=0.5)
    assert read_training_log(tmp_path / 'missing') == dict(loss_curve=[],
                                                          seconds_per_iter=None)
    assert split_metrics({'Demo/PSNR': 30.0, 'Rain100L/SSIM': 0.9}) == {
        'Demo': {'PSNR': 30.0}, 'Rain100L': {'SSIM': 0.9}}
