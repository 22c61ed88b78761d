import json

import numpy as np
import pytest

from helpers.tool_modules import load_tool
from lfdn_mm.cli.analysis.quality_study import (StudySettings, compare_pair, iterations_for,
                                            read_training_log, run_quality_study,
                                            set_crop_size, split_metrics, study_config,
                                            study_generator_cfg, table6_check)
from lfdn_mm.utils import write_image

pytestmark = pytest.mark.slow


def write_photos(root, count, size=64, seed=0):
    rng = np.random.default_rng(seed)
    for index in range(count):
        write_image(root / f'photo_{index:02d}.png',
                    rng.integers(0, 256, (size, size, 3), dtype=np.uint8))


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    """Ten clean 'photographs' and a two-pair real-style test folder."""
    root = tmp_path_factory.mktemp('study')
    write_photos(root / 'clean', 10)
    write_photos(root / 'rainy' / 'input', 2, size=40, seed=1)
    write_photos(root / 'rainy' / 'target', 2, size=40, seed=2)
    return root


def study_args(folders, work_dir, *extra):
    return ['--models', 'lfdn', 'nafnet-w8-tiny', '--crop-size', '32', '--batch-size', '2',
            '--log-interval', '1', '--data-root', str(folders / 'clean'),
            '--demo-root', str(folders / 'clean'), '--test-folder', str(folders / 'rainy'),
            '--work-dir', str(work_dir), '--out-dir', str(work_dir / 'report'), *extra]


@pytest.fixture(scope='module')
def study_run(folders):
    work_dir = folders / 'work'
    load_tool('analysis_tools/quality_study').main(
        study_args(folders, work_dir, '--max-iters', '2', '--seeds', '0', '1'))
    return work_dir


def test_two_seed_study_writes_its_tables(study_run):
    result = json.loads((study_run / 'report' / 'quality_study.json').read_text())
    assert set(result['datasets']) == {'Val', 'Demo', 'rainy'}
    assert [(row['model'], row['seed']) for row in result['rows']] == [
        ('lfdn', 0), ('nafnet-w8-tiny', 0), ('lfdn', 1), ('nafnet-w8-tiny', 1)]
    for row in result['rows']:
        assert row['max_iters'] == 2 and [step for step, _ in row['loss_curve']] == [1, 2]
        assert row['final_loss'] > 0 and row['params'] > 0 and row['macs_per_crop'] > 0
        for dataset in ('Val', 'Demo', 'rainy'):
            assert set(row['metrics'][dataset]) == {'PSNR', 'SSIM'}
            assert 0 < row['metrics'][dataset]['SSIM'] <= 1
    lfdn = result['summary']['lfdn']
    assert lfdn['seeds'] == [0, 1]
    psnrs = [row['metrics']['rainy']['PSNR'] for row in result['rows'] if row['model'] == 'lfdn']
    assert lfdn['metrics']['rainy']['PSNR']['mean'] == pytest.approx(np.mean(psnrs))
    assert lfdn['metrics']['rainy']['PSNR']['std'] == pytest.approx(np.std(psnrs, ddof=1))
    assert set(result['input']) == {'Val', 'Demo', 'rainy'}
    report = (study_run / 'report' / 'quality_study.md').read_text()
    assert '| input (no restoration) |' in report and 'Ranked by rainy PSNR' in report
    assert '| nafnet-w8-tiny | 1 | 2 |' in report
    assert '| Val PSNR | Demo PSNR | rainy PSNR |' in report
    assert (study_run / 'report' / 'quality_study.png').read_bytes().startswith(b'\x89PNG')


def test_input_row_is_mmagic_psnr_of_the_test_folder(study_run, folders):
    from mmagic.evaluation.metrics import psnr

    from lfdn_mm.utils import read_rgb
    result = json.loads((study_run / 'report' / 'quality_study.json').read_text())
    pairs = folders / 'rainy'
    names = sorted(p.name for p in (pairs / 'input').glob('*.png'))
    expected = np.mean([psnr(read_rgb(pairs / 'input' / n), read_rgb(pairs / 'target' / n),
                             convert_to='Y') for n in names])
    assert result['input']['rainy']['PSNR'] == pytest.approx(expected, abs=1e-4)


def test_a_rerun_resumes_from_the_finished_runs(study_run, folders):
    settings = StudySettings(
        models=('lfdn',), max_iters=2, seeds=(1,), crop_size=32, batch_size=2, log_interval=1,
        data_root=str(folders / 'clean'), demo_root=str(folders / 'clean'),
        test_folders=(str(folders / 'rainy'),), work_dir=str(study_run))
    stored = json.loads((study_run / 'lfdn' / 'seed1' / 'row.json').read_text())
    result = run_quality_study(settings, log=lambda message: pytest.fail(message))
    assert result['rows'] == [stored]


def test_a_rerun_with_another_budget_is_refused(study_run, folders):
    settings = StudySettings(models=('lfdn',), max_iters=3, data_root=str(folders / 'clean'),
                             demo_root=None, work_dir=str(study_run))
    with pytest.raises(ValueError, match='other settings.*max_iters: 2'):
        run_quality_study(settings)


def test_the_budget_becomes_iterations_by_calibration(folders, tmp_path):
    load_tool('analysis_tools/quality_study').main(
        study_args(folders, tmp_path, '--budget-seconds', '0.5', '--calibration-iters', '3',
                   '--seeds', '0', '--demo-root', 'none', '--models', 'nafnet-w8-tiny'))
    result = json.loads((tmp_path / 'report' / 'quality_study.json').read_text())
    pace = result['calibration']
    assert set(pace) == {'nafnet-w8-tiny'} and all(v > 0 for v in pace.values())
    for row in result['rows']:
        assert row['max_iters'] == max(1, round(0.5 / pace[row['model']]))
    assert set(result['datasets']) == {'Val', 'rainy'}
    settings = StudySettings(budget_seconds=10.0)
    assert iterations_for('lfdn', settings, {'lfdn': 0.5}) == 20
    assert iterations_for('lfdn', StudySettings(max_iters=7), {}) == 7


def test_only_the_generator_changes_between_models(tmp_path):
    settings = StudySettings(max_iters=7, batch_size=3, crop_size=40, work_dir=str(tmp_path),
                             data_root=str(tmp_path), demo_root=None)
    lfdn = study_config('lfdn', study_generator_cfg('lfdn', settings), settings, 0, 7)
    nafnet = study_config('nafnet-w16', study_generator_cfg('nafnet-w16', settings), settings,
                          0, 7)
    assert lfdn.model.generator.type == 'LFDNPreset'
    assert nafnet.model.generator.type == 'NAFNetLocal'
    assert nafnet.model.generator.train_size == (1, 3, 40, 40)
    for cfg in (lfdn, nafnet):
        assert cfg.train_cfg.max_iters == 7 and cfg.train_dataloader.batch_size == 3
        crops = [s for s in cfg.train_dataloader.dataset.pipeline if s['type'] == 'Crop']
        assert crops[0]['crop_size'] == (40, 40)
        assert cfg.val_dataloader is None
    assert lfdn.model.pixel_loss == nafnet.model.pixel_loss
    assert lfdn.optim_wrapper == nafnet.optim_wrapper
    assert lfdn.train_dataloader == nafnet.train_dataloader
    assert lfdn.work_dir != nafnet.work_dir


def test_paired_crops_are_resized_too():
    pipeline = [dict(type='PairedRandomCrop', gt_patch_size=128),
                dict(type='Crop', keys=['gt'], crop_size=(128, 128), random_crop=True),
                dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=False)]
    set_crop_size(pipeline, 48)
    assert [s.get('gt_patch_size', s.get('crop_size')) for s in pipeline] == [
        48, (48, 48), (64, 64)]


def test_missing_test_folder_is_reported(tmp_path):
    settings = StudySettings(test_folders=(str(tmp_path / 'nowhere'),),
                             data_root=str(tmp_path), demo_root=None)
    with pytest.raises(FileNotFoundError, match='needs input/ and target/'):
        study_config('lfdn', study_generator_cfg('lfdn', settings), settings)


def summary_of(psnrs):
    return {name: dict(metrics=dict(R=dict(PSNR=dict(
        mean=float(np.mean(v)), std=float(np.std(v, ddof=1)), n=len(v)))))
        for name, v in psnrs.items()}


def test_table6_pairs_are_judged_by_the_seed_spread():
    summary = summary_of({'lfdn': [30.0, 30.2, 30.1], 'lfdn-wo_fusion': [29.0, 29.1, 28.9],
                          'lfdn-wo_mshf': [29.5, 28.5, 29.0], 'lfdn-cnn': [30.0, 30.1, 29.9]})
    verdicts = [(p['better'], p['worse'], p['verdict']) for p in table6_check(summary, 'R')]
    assert verdicts == [('lfdn', 'lfdn-wo_fusion', 'holds'),
                        ('lfdn-wo_fusion', 'lfdn-wo_mshf', 'too close to tell'),
                        ('lfdn-wo_mshf', 'lfdn-cnn', 'reversed')]
    pair = compare_pair('lfdn', 'lfdn-wo_fusion', summary, 'R')
    assert pair['difference'] == pytest.approx(1.1)
    assert pair['standard_error'] == pytest.approx((2 * 0.1 ** 2 / 3) ** 0.5)


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
