"""Equal-budget quality study: LFDN, its Table 6 variants and a small NAFNet, trained alike.

Every model is trained by MMEngine's Runner from the same config (by default the demo deraining
config) with only ``model.generator`` swapped: same data, crops, batch, loss, optimizer,
schedule and number of iterations. Each is then tested by MMagic's PSNR/SSIM metrics on the
demo val split and on any further ``<root>/{input,target}`` folders, and the training loss
curves are read from the runner's ``vis_data/scalars.json``.
"""
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mmagic.registry import MODELS
from mmengine.config import Config
from torch import nn

from ..apis.launch import build_runner, test_metrics
from ..datasets import make_demo_set
from ..utils.project_files import project_root
from .measure import count_macs, count_parameters
from .model_zoo import get_spec

ROOT = project_root()
DEMO_DERAIN_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py'
DEFAULT_STUDY_MODELS = ('lfdn', 'lfdn-wo_mshf', 'lfdn-rfdb', 'lfdn-cnn', 'lfdn-wo_fusion',
                        'lfdn-wo_all', 'nafnet-w16')
INPUT_ROW = 'input'


@MODELS.register_module()
class PassThroughGenerator(nn.Module):
    """Returns its input: tests the degraded input itself with the same pipeline and metrics."""

    def forward(self, x):
        return x


@dataclass
class StudySettings:
    """One equal-budget study.

    Args:
        models (Sequence[str]): Names from :data:`lfdn_mm.analysis.model_zoo.MODEL_SPECS`.
        config (str): Training config whose generator is swapped per model.
        data_root (str): Demo set root (``train/`` and ``val/``); made when missing.
        task (str): Demo task used when the set has to be made (``'derain'``/``'deblur'``).
        max_iters (int): Training iterations of every model.
        batch_size (int): Training batch size.
        crop_size (int): Training crop side.
        learning_rate (float): Adam learning rate (cosine-annealed to 1e-5 over max_iters).
        test_folders (Sequence[str]): Extra test sets, each ``<root>/{input,target}``.
        global_residual (bool): Give LFDN variants the global image residual of the demo
            config (NAFNet has one built in).
        log_interval (int, optional): Iterations between logged losses (default: about 40
            points per curve).
        work_dir (str): Parent of one MMEngine work folder per model.
        convert_to (str, optional): Colour space of PSNR/SSIM (``'Y'`` for deraining).
        seed (int): Seed of every run.
    """
    models: tuple = DEFAULT_STUDY_MODELS
    config: str = str(DEMO_DERAIN_CONFIG)
    data_root: str = str(ROOT / 'data' / 'demo_derain')
    task: str = 'derain'
    max_iters: int = 400
    batch_size: int = 8
    crop_size: int = 96
    learning_rate: float = 5e-4
    test_folders: tuple = ()
    global_residual: bool = True
    log_interval: int = None
    work_dir: str = str(ROOT / 'work_dirs' / 'quality_study')
    convert_to: str = 'Y'
    seed: int = 0

    @property
    def interval(self):
        return self.log_interval or max(1, self.max_iters // 40)


def ensure_demo_set(settings):
    """Make the demo set at ``data_root`` when its val split is missing."""
    if not (Path(settings.data_root) / 'val' / 'input').is_dir():
        make_demo_set(settings.data_root, settings.task, overwrite=True)


def study_generator_cfg(name, settings):
    """The generator config of ``name`` as the study trains it."""
    spec = get_spec(name)
    cfg = spec.generator_cfg()
    if spec.family == 'LFDN':
        cfg['global_residual'] = settings.global_residual
    if cfg['type'] == 'NAFNetLocal':
        cfg['train_size'] = (1, 3, settings.crop_size, settings.crop_size)
    return cfg


def test_set(name, root, settings):
    """A test dataloader and its MMagic PSNR/SSIM evaluator for ``<root>/{input,target}``."""
    dataloader = dict(
        batch_size=1, num_workers=0, persistent_workers=False, drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='BasicImageDataset',
                     metainfo=dict(dataset_type=name, task_name='restoration'),
                     data_root=str(root), data_prefix=dict(img='input', gt='target'),
                     pipeline=[
                         dict(type='LoadImageFromFile', key='img', color_type='color',
                              channel_order='rgb', imdecode_backend='cv2'),
                         dict(type='LoadImageFromFile', key='gt', color_type='color',
                              channel_order='rgb', imdecode_backend='cv2'),
                         dict(type='PackInputs')]))
    evaluator = dict(type='Evaluator', metrics=[
        dict(type='PSNR', convert_to=settings.convert_to, prefix=name),
        dict(type='SSIM', convert_to=settings.convert_to, prefix=name)])
    return dataloader, evaluator


def test_sets(settings):
    """``(name, root)`` of the demo val split and every extra test folder."""
    sets = [('Demo', Path(settings.data_root) / 'val')]
    for folder in settings.test_folders:
        folder = Path(folder)
        if not (folder / 'input').is_dir() or not (folder / 'target').is_dir():
            raise FileNotFoundError(f'test folder {folder} needs input/ and target/')
        sets.append((folder.name, folder))
    return sets


def set_crop_size(pipeline, crop_size):
    for step in pipeline:
        if step['type'] == 'PairedRandomCrop':
            step['gt_patch_size'] = crop_size


def study_config(name, generator, settings, train=True):
    """The demo config with ``generator`` swapped in and the study's budget and test sets."""
    cfg = Config.fromfile(settings.config)
    work_dir = Path(settings.work_dir) / name
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'{name}_{time.strftime("%Y%m%d_%H%M%S")}'
    cfg.randomness = dict(seed=settings.seed, diff_rank_seed=False)
    cfg.model.generator = generator
    loaders, evaluators = zip(*(test_set(n, root, settings) for n, root in test_sets(settings)))
    cfg.test_dataloader, cfg.test_evaluator = list(loaders), list(evaluators)
    cfg.test_cfg = dict(type='MultiTestLoop')
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.custom_hooks = [dict(type='MetricsDumpHook', out_file=str(work_dir / 'metrics.json'))]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=settings.max_iters, by_epoch=False, max_keep_ckpts=1,
        save_best=None, save_last=True)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=settings.interval)
    cfg.log_processor = dict(type='LogProcessor', window_size=settings.interval, by_epoch=False)
    if train:
        loader = cfg.train_dataloader
        loader.batch_size = settings.batch_size
        loader.dataset.data_root = str(Path(settings.data_root) / 'train')
        set_crop_size(loader.dataset.pipeline, settings.crop_size)
        cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=settings.max_iters,
                             val_interval=settings.max_iters + 1)
        cfg.optim_wrapper = dict(type='OptimWrapper', optimizer=dict(
            type='Adam', lr=settings.learning_rate, betas=(0.9, 0.999)))
        cfg.param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False,
                                   T_max=settings.max_iters, eta_min=1e-5)
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


def evaluate_input(settings):
    """PSNR/SSIM of the degraded inputs themselves (same pipeline and MMagic metrics)."""
    cfg = study_config(INPUT_ROW, dict(type='PassThroughGenerator'), settings, train=False)
    return split_metrics(test_metrics(build_runner(cfg)))


def train_and_test(name, settings, log):
    """Train ``name`` for the study's budget, test it, and return its row of the study."""
    generator = study_generator_cfg(name, settings)
    cfg = study_config(name, generator, settings)
    runner = build_runner(cfg)
    start = time.perf_counter()
    runner.train()
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    metrics = test_metrics(runner)
    test_seconds = time.perf_counter() - start
    network = runner.model.generator.eval()
    training = read_training_log(runner.log_dir)
    curve = training['loss_curve']
    log(f'{name}: {train_seconds:.0f} s training, final loss {curve[-1][1] if curve else None}')
    return dict(model=name, family=get_spec(name).family, generator=generator,
                params=count_parameters(network),
                macs_per_crop=count_macs(network, (settings.crop_size, settings.crop_size)),
                train_seconds=train_seconds, seconds_per_iter=training['seconds_per_iter'],
                test_seconds=test_seconds, metrics=split_metrics(metrics), loss_curve=curve,
                final_loss=curve[-1][1] if curve else None, log_dir=str(runner.log_dir))


def run_quality_study(settings, log=print):
    """Train and test every model of ``settings`` with the same budget.

    Returns:
        dict: ``settings``, ``datasets`` (name -> root), ``input`` (metrics of the
        unrestored inputs) and ``rows`` (one per model: parameters, MACs per training crop,
        timings, metrics per dataset, loss curve).
    """
    for name in settings.models:
        get_spec(name)
    ensure_demo_set(settings)
    started = time.perf_counter()
    rows = [train_and_test(name, settings, log) for name in settings.models]
    return dict(settings={**asdict(settings), 'log_interval': settings.interval},
                datasets={name: str(root) for name, root in test_sets(settings)},
                input=evaluate_input(settings), rows=rows,
                total_seconds=time.perf_counter() - started)
