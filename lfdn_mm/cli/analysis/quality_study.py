"""Equal-budget quality study: LFDN, its Table 6 variants and a small NAFNet, trained alike.

Every model is trained by MMEngine's Runner from the same config (by default the deraining
starter recipe: rain synthesised on the fly over a folder of clean photographs) with only
``model.generator`` swapped: same data, crops, batch, loss, optimizer and schedule, and the
same wall-clock budget. The budget becomes a number of iterations per model from a short
calibration run of each model on this machine, so every model gets the same time however
busy the machine is later. Each (model, seed) run is tested with MMagic's PSNR/SSIM on the
config's held-out validation photographs, on the demo photographs and on any further
``<root>/{input,target}`` folders (real test sets), and stored on its own: an interrupted
study resumes where it stopped.
"""
import json
import statistics
import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

from mmengine.config import Config

from ..launch import build_runner, enable_amp, test_metrics
from ...datasets import write_demo_photos
from ...utils import write_json
from ...utils.project_files import project_root
from ...models.summary import count_parameters
from .measure import count_macs
from .model_zoo import get_spec

ROOT = project_root()
STARTER_DERAIN_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-starter-derain.py'
DEMO_DERAIN_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_demo-derain.py'
SHARED_CLEAN_PHOTOS = ROOT.parent / 'shared' / 'data' / 'clean'
DEFAULT_STUDY_MODELS = ('lfdn', 'lfdn-fdnb_split', 'lfdn-wo_fusion', 'lfdn-wo_mshf',
                        'lfdn-rfdb', 'lfdn-cnn', 'nafnet-w16')
# Table 6 of the paper, best first; the study checks each neighbouring pair
TABLE6_ORDER = ('lfdn', 'lfdn-wo_fusion', 'lfdn-wo_mshf', 'lfdn-rfdb', 'lfdn-cnn')
INPUT_ROW = 'input'
VAL_SET, DEMO_SET = 'Val', 'Demo'


@dataclass
class StudySettings:
    """One equal-budget study.

    Args:
        models (Sequence[str]): Names from :data:`lfdn_mm.cli.analysis.model_zoo.MODEL_SPECS`.
        config (str): Training config whose generator is swapped per model; its
            ``val_dataloader`` (held-out photographs) is tested as ``Val``.
        data_root (str): Folder of clean photographs the config trains and validates on.
        demo_root (str, optional): Demo photographs, tested as ``Demo`` with the demo
            config's validation (written here when missing); None leaves the set out.
        budget_seconds (float): Training wall-clock of every run.
        max_iters (int, optional): A fixed number of iterations instead of the budget.
        calibration_iters (int): Iterations timed per model to turn the budget into
            iterations.
        seeds (Sequence[int]): One run per model and seed.
        batch_size (int): Training batch size.
        crop_size (int): Training crop side.
        learning_rate (float): Adam learning rate (cosine-annealed to 1e-6 over the run).
        amp (bool): Train under bf16 autocast (``CPUBF16OptimWrapper`` on a CPU with native
            bf16, ``AmpOptimWrapper`` on a GPU).
        test_folders (Sequence[str]): Extra test sets, each ``<root>/{input,target}``.
        global_residual (bool): Give LFDN variants the global image residual (NAFNet has one
            built in).
        log_interval (int, optional): Iterations between logged losses (default: about 40
            points per curve).
        work_dir (str): Parent of one MMEngine work folder per run.
        convert_to (str, optional): Colour space of PSNR/SSIM (``'Y'`` for deraining).
    """
    models: tuple = DEFAULT_STUDY_MODELS
    config: str = str(STARTER_DERAIN_CONFIG)
    data_root: str = str(SHARED_CLEAN_PHOTOS)
    demo_root: str = str(ROOT / 'data' / 'demo_photos')
    budget_seconds: float = 200.0
    max_iters: int = None
    calibration_iters: int = 12
    seeds: tuple = (0, 1, 2)
    batch_size: int = 8
    crop_size: int = 96
    learning_rate: float = 5e-4
    amp: bool = False
    test_folders: tuple = ()
    global_residual: bool = True
    log_interval: int = None
    work_dir: str = str(ROOT / 'work_dirs' / 'quality_study')
    convert_to: str = 'Y'

    def interval(self, max_iters):
        return self.log_interval or max(1, max_iters // 40)


def study_generator_cfg(name, settings):
    """The generator config of ``name`` as the study trains it."""
    spec = get_spec(name)
    cfg = spec.generator_cfg()
    if spec.family == 'LFDN':
        cfg['global_residual'] = settings.global_residual
    if cfg['type'] == 'NAFNetLocal':
        cfg['train_size'] = (1, 3, settings.crop_size, settings.crop_size)
    return cfg


def with_prefix(evaluator, prefix):
    """The metric configs of ``evaluator`` (a list or an ``Evaluator``) renamed to ``prefix``."""
    metrics = evaluator['metrics'] if isinstance(evaluator, dict) else evaluator
    return dict(type='Evaluator', metrics=[dict(m, prefix=prefix) for m in metrics])


def config_val_set(config, data_root, prefix):
    """The ``val_dataloader`` of ``config`` over ``data_root`` and its metrics as ``prefix``."""
    cfg = Config.fromfile(config)
    loader = cfg.val_dataloader
    loader.dataset.data_root = str(data_root)
    return loader.to_dict(), with_prefix(cfg.val_evaluator, prefix)


def folder_set(name, root, settings):
    """A test dataloader and its MMagic PSNR/SSIM evaluator for ``<root>/{input,target}``."""
    load = [dict(type='LoadImageFromFile', key=key, color_type='color', channel_order='rgb',
                 imdecode_backend='cv2') for key in ('img', 'gt')]
    dataloader = dict(
        batch_size=1, num_workers=0, persistent_workers=False, drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='BasicImageDataset',
                     metainfo=dict(dataset_type=name, task_name='restoration'),
                     data_root=str(root), data_prefix=dict(img='input', gt='target'),
                     pipeline=[*load, dict(type='PackInputs')]))
    metrics = [dict(type=metric, convert_to=settings.convert_to) for metric in ('PSNR', 'SSIM')]
    return dataloader, with_prefix(metrics, name)


def test_set_roots(settings):
    """``{name: root}`` of every set the study tests on."""
    sets = {VAL_SET: Path(settings.data_root)}
    if settings.demo_root:
        sets[DEMO_SET] = Path(settings.demo_root)
    for folder in map(Path, settings.test_folders):
        if not (folder / 'input').is_dir() or not (folder / 'target').is_dir():
            raise FileNotFoundError(f'test folder {folder} needs input/ and target/')
        sets[folder.name] = folder
    return sets


def test_sets(settings):
    """``(dataloaders, evaluators)`` of every set the study tests on."""
    sets = []
    for name, root in test_set_roots(settings).items():
        if name == VAL_SET:
            sets.append(config_val_set(settings.config, root, name))
        elif name == DEMO_SET:
            sets.append(config_val_set(DEMO_DERAIN_CONFIG, root, name))
        else:
            sets.append(folder_set(name, root, settings))
    loaders, evaluators = zip(*sets)
    return list(loaders), list(evaluators)


def set_crop_size(pipeline, crop_size):
    for step in pipeline:
        if step['type'] == 'PairedRandomCrop':
            step['gt_patch_size'] = crop_size
        elif step['type'] == 'Crop' and step.get('random_crop'):
            step['crop_size'] = (crop_size, crop_size)


def set_training(cfg, settings, max_iters):
    """The study's data, budget, optimizer and schedule on ``cfg``; the same for every model."""
    loader = cfg.train_dataloader
    loader.batch_size = settings.batch_size
    loader.dataset.data_root = settings.data_root
    set_crop_size(loader.dataset.pipeline, settings.crop_size)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                         val_interval=max_iters + 1)
    cfg.optim_wrapper = dict(
        type='OptimWrapper', clip_grad=dict(max_norm=1.0, norm_type=2),
        optimizer=dict(type='Adam', lr=settings.learning_rate, betas=(0.9, 0.999)))
    if settings.amp:
        enable_amp(cfg, 'bfloat16')
    cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
                               eta_min=1e-6)


def run_dir(settings, name, seed):
    return Path(settings.work_dir) / name / f'seed{seed}'


def study_config(name, generator, settings, seed=0, max_iters=None, work_dir=None,
                 tests=True):
    """The study config with ``generator`` swapped in.

    Args:
        max_iters (int, optional): Train for this many iterations; None builds a test-only
            config.
        work_dir (str, optional): Work folder (default: one per model and seed).
        tests (bool): Test on every study set after training.
    """
    cfg = Config.fromfile(settings.config)
    work_dir = Path(work_dir or run_dir(settings, name, seed))
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'{name}_seed{seed}_{time.strftime("%Y%m%d_%H%M%S")}'
    cfg.randomness = dict(seed=seed, diff_rank_seed=False)
    cfg.model.generator = generator
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    hooks = [h for h in cfg.get('custom_hooks', []) if h['type'] != 'MetricsDumpHook']
    if tests:
        cfg.test_dataloader, cfg.test_evaluator = test_sets(settings)
        cfg.test_cfg = dict(type='MultiTestLoop')
        hooks.append(dict(type='MetricsDumpHook', out_file=str(work_dir / 'metrics.json')))
    cfg.custom_hooks = hooks
    interval = settings.interval(max_iters or 1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=max_iters or 1, by_epoch=False, max_keep_ckpts=1,
        save_best=None, save_last=True)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=interval)
    cfg.log_processor = dict(type='LogProcessor', window_size=interval, by_epoch=False)
    if max_iters:
        set_training(cfg, settings, max_iters)
    else:
        cfg.train_dataloader = cfg.train_cfg = cfg.optim_wrapper = cfg.param_scheduler = None
    return cfg


def read_training_log(log_dir):
    """Loss curve and iteration times from a runner's ``vis_data/scalars.json``.

    Returns:
        dict: ``loss_curve`` ``[(iteration, loss), ...]`` (each loss is the logger's mean over
        its window) and ``seconds_per_iter``, the median of the logged iteration times (robust
        to a stretch slowed by other jobs on the machine), or None without a log.
    """
    path = Path(log_dir) / 'vis_data' / 'scalars.json'
    lines = path.read_text().splitlines() if path.is_file() else []
    entries = [json.loads(line) for line in lines]
    curve = [(int(e['step']), float(e['loss'])) for e in entries if 'loss' in e and 'step' in e]
    times = [float(e['time']) for e in entries if 'time' in e and 'loss' in e]
    return dict(loss_curve=curve, seconds_per_iter=statistics.median(times) if times else None)


def split_metrics(metrics):
    """``{'Demo/PSNR': x, ...}`` -> ``{'Demo': {'PSNR': x, ...}, ...}``."""
    by_set = {}
    for key, value in metrics.items():
        dataset, _, metric = key.rpartition('/')
        by_set.setdefault(dataset, {})[metric] = value
    return by_set


def cached(path, compute):
    """The JSON at ``path``, or ``compute()`` written there first."""
    path = Path(path)
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    write_json(path, value)
    return value


def evaluate_input(settings):
    """PSNR/SSIM of the degraded inputs themselves (same pipeline and MMagic metrics)."""
    cfg = study_config(INPUT_ROW, dict(type='PassThroughGenerator'), settings,
                       work_dir=Path(settings.work_dir) / INPUT_ROW)
    return split_metrics(test_metrics(build_runner(cfg)))


def calibrate(name, settings):
    """Median seconds per training iteration of ``name`` on this machine, with the study's
    data, batch and crop (a short run of ``calibration_iters`` iterations)."""
    timing = replace(settings, log_interval=1)
    cfg = study_config(name, study_generator_cfg(name, settings), timing,
                       max_iters=settings.calibration_iters, tests=False,
                       work_dir=Path(settings.work_dir) / 'calibration' / name)
    runner = build_runner(cfg)
    runner.train()
    return read_training_log(runner.log_dir)['seconds_per_iter']


def iterations_for(name, settings, calibration):
    """Training iterations of ``name``: ``max_iters``, or the budget over its calibrated pace."""
    if settings.max_iters:
        return settings.max_iters
    return max(1, round(settings.budget_seconds / calibration[name]))


def train_and_test(name, seed, max_iters, settings, log):
    """Train ``name`` with ``seed`` for ``max_iters``, test it, and return its row."""
    generator = study_generator_cfg(name, settings)
    runner = build_runner(study_config(name, generator, settings, seed, max_iters))
    start = time.perf_counter()
    runner.train()
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    metrics = split_metrics(test_metrics(runner))
    test_seconds = time.perf_counter() - start
    network = runner.model.generator.eval()
    training = read_training_log(runner.log_dir)
    curve = training['loss_curve']
    log(f'{name} seed {seed}: {max_iters} iterations in {train_seconds:.0f} s; ' +
        ', '.join(f"{k} {v['PSNR']:.2f} dB" for k, v in metrics.items()))
    return dict(model=name, seed=seed, family=get_spec(name).family, generator=generator,
                max_iters=max_iters, params=count_parameters(network),
                macs_per_crop=count_macs(network, (settings.crop_size, settings.crop_size)),
                train_seconds=train_seconds, seconds_per_iter=training['seconds_per_iter'],
                test_seconds=test_seconds, metrics=metrics, loss_curve=curve,
                final_loss=curve[-1][1] if curve else None, log_dir=str(runner.log_dir))


def mean_std(values):
    values = list(values)
    return dict(mean=statistics.fmean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.0, n=len(values))


def summarise(rows, datasets):
    """Per model: mean, std and count over seeds of every metric of every set."""
    summary = {}
    for name in dict.fromkeys(row['model'] for row in rows):
        runs = [row for row in rows if row['model'] == name]
        summary[name] = dict(
            params=runs[0]['params'], macs_per_crop=runs[0]['macs_per_crop'],
            seeds=[row['seed'] for row in runs],
            max_iters=mean_std(row['max_iters'] for row in runs)['mean'],
            seconds_per_iter=runs[0]['seconds_per_iter'],
            metrics={dataset: {metric: mean_std(row['metrics'][dataset][metric]
                                                for row in runs)
                               for metric in ('PSNR', 'SSIM')} for dataset in datasets})
    return summary


def compare_pair(better, worse, summary, dataset):
    """Whether ``better`` beats ``worse`` on ``dataset`` PSNR, beyond the seed spread.

    The difference of means counts as resolved when it exceeds twice its standard error
    (from the seed standard deviations); otherwise the spread is too large to tell.
    """
    a, b = (summary[name]['metrics'][dataset]['PSNR'] for name in (better, worse))
    difference = a['mean'] - b['mean']
    error = (a['std'] ** 2 / a['n'] + b['std'] ** 2 / b['n']) ** 0.5
    if abs(difference) <= 2 * error:
        verdict = 'too close to tell'
    else:
        verdict = 'holds' if difference > 0 else 'reversed'
    return dict(better=better, worse=worse, dataset=dataset, difference=difference,
                standard_error=error, verdict=verdict)


def table6_check(summary, dataset):
    """:func:`compare_pair` for each neighbouring pair of Table 6's ordering in the study."""
    order = [name for name in TABLE6_ORDER if name in summary]
    return [compare_pair(a, b, summary, dataset) for a, b in zip(order, order[1:])]


BUDGET_FIELDS = ('config', 'data_root', 'budget_seconds', 'max_iters', 'calibration_iters',
                 'batch_size', 'crop_size', 'learning_rate', 'amp', 'global_residual')


def check_same_budget(settings):
    """Refuse to resume a study in ``work_dir`` that was trained with another budget."""
    budget = {field: getattr(settings, field) for field in BUDGET_FIELDS}
    recorded = cached(Path(settings.work_dir) / 'budget.json', lambda: budget)
    changed = sorted(f for f in BUDGET_FIELDS if recorded.get(f) != budget[f])
    if changed:
        raise ValueError(
            f'{settings.work_dir} holds a study trained with other settings '
            f'({", ".join(f"{f}: {recorded.get(f)!r}" for f in changed)}); use another '
            '--work-dir or the same settings')


def run_quality_study(settings, log=print):
    """Train and test every model of ``settings`` with the same budget, once per seed.

    Runs go seed by seed (all models with the first seed, then the next), so a study stopped
    early still compares every model. Finished runs, the calibration and the input scores are
    read back from ``work_dir`` instead of being redone.

    Returns:
        dict: ``settings``, ``datasets`` (name -> root), ``input`` (metrics of the
        unrestored inputs), ``calibration`` (seconds per iteration per model), ``rows`` (one
        per run: parameters, MACs per training crop, iterations, timings, metrics per
        dataset, loss curve) and ``summary`` (mean and std over seeds per model).
    """
    for name in settings.models:
        get_spec(name)
    if settings.demo_root and not Path(settings.demo_root).is_dir():
        write_demo_photos(settings.demo_root)
    work_dir = Path(settings.work_dir)
    check_same_budget(settings)
    started = time.perf_counter()
    calibration = cached(work_dir / 'calibration.json', lambda: {})
    for name in settings.models:
        if not settings.max_iters and name not in calibration:
            calibration[name] = calibrate(name, settings)
            log(f'{name}: {calibration[name]:.3f} s / iteration')
            write_json(work_dir / 'calibration.json', calibration)
    input_metrics = cached(work_dir / INPUT_ROW / 'scores.json', lambda: evaluate_input(settings))
    rows = []
    for seed in settings.seeds:
        for name in settings.models:
            max_iters = iterations_for(name, settings, calibration)
            run = partial(train_and_test, name, seed, max_iters, settings, log)
            rows.append(cached(run_dir(settings, name, seed) / 'row.json', run))
    datasets = {name: str(root) for name, root in test_set_roots(settings).items()}
    return dict(settings=asdict(settings), datasets=datasets, input=input_metrics,
                calibration=calibration, rows=rows, summary=summarise(rows, datasets),
                total_seconds=time.perf_counter() - started)
