"""Turn command-line choices into an MMEngine config and run it (tools/train.py, tools/test.py)."""
import argparse
import copy
import os
import os.path as osp
import subprocess

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction
from mmengine.runner import Runner, find_latest_checkpoint

from ..datasets.validation import PairValidationError, validate_pairs
from ..engine.optimizers import cpu_has_native_bf16
from ..pretrained import resolve_checkpoint
from ..utils import CheckpointError, check_checkpoint

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def add_common_arguments(parser):
    """Flags shared by tools/train.py and tools/test.py, as MMagic's tools spell them."""
    parser.add_argument('--work-dir', help='folder for logs and checkpoints '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. train_cfg.max_iters=100')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='job launcher (pytorch = torchrun)')
    parser.add_argument('--skip-data-check', action='store_true',
                        help='do not validate the image pairs before the run')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help=argparse.SUPPRESS)
    return parser


def load_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """Read ``path``, apply ``--cfg-options`` and choose the work folder."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def slurm_to_torch_env():
    """Fill torch's RANK / WORLD_SIZE / LOCAL_RANK / MASTER_* from Slurm's variables."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        first = subprocess.run(['scontrol', 'show', 'hostname', nodes], check=True,
                               capture_output=True, text=True).stdout.split()[0]
        os.environ['MASTER_ADDR'] = first
    os.environ.setdefault('MASTER_PORT', '29500')


def prepare_cpu_distributed(cfg):
    """Let ``--launcher pytorch`` or ``slurm`` work on machines without a GPU (gloo backend).

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` and DDP rejects ``device_ids``
    for CPU modules, so the process group is created here (the Runner then skips its own)
    and the wrapper gets ``device_ids=None``.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher not in ('pytorch', 'slurm') or torch.cuda.is_available():
        return
    if launcher == 'slurm':
        slurm_to_torch_env()
    if not dist.is_initialized():
        dist.init_process_group('gloo', rank=int(os.environ['RANK']),
                                world_size=int(os.environ['WORLD_SIZE']))
    cfg.env_cfg = {**cfg.get('env_cfg', {}), 'dist_cfg': dict(backend='gloo')}
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None,
                                 broadcast_buffers=False)


def release_process_group():
    """Destroy the default process group at the end of a run, so that no communication
    thread of it is still running when the interpreter exits (which aborts the process)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def enable_amp(cfg, dtype='float16'):
    """Switch the optimizer wrapper to mixed precision.

    On a GPU: MMEngine's ``AmpOptimWrapper`` (fp16 with a dynamic loss scale, or bf16). On a
    CPU: bf16 only, through ``CPUBF16OptimWrapper``, and only where the CPU has native bf16.
    """
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') not in ('OptimWrapper', 'AmpOptimWrapper',
                                                  'CPUBF16OptimWrapper'):
        raise SystemExit(f'--amp works with OptimWrapper configs, not {wrapper.type}')
    if torch.cuda.is_available():
        wrapper.type = 'AmpOptimWrapper'
        wrapper.dtype = dtype
        wrapper.setdefault('loss_scale', 'dynamic')
        return
    if dtype != 'bfloat16':
        raise SystemExit('--amp on the CPU needs --amp-dtype bfloat16: fp16 autocast needs a '
                         'CUDA GPU. Train without --amp (fp32) or with --amp-dtype bfloat16.')
    if not cpu_has_native_bf16():
        raise SystemExit('--amp --amp-dtype bfloat16 needs a CPU with native bf16 (AVX512-BF16 '
                         'or AMX); on this CPU bf16 runs about 10x slower than fp32. Train '
                         'without --amp (fp32).')
    wrapper.type = 'CPUBF16OptimWrapper'


def set_resume(cfg, resume):
    """``--resume`` alone: the latest checkpoint in the work folder; with a path: that file.

    The checkpoint is opened first, so a truncated or unsafe file stops the run with a message
    that names it (and the previous checkpoint) instead of failing inside the Runner.
    """
    if resume is None:
        return
    cfg.resume = True
    checkpoint = (find_latest_checkpoint(cfg.work_dir) or None) if resume == 'auto' else resume
    cfg.load_from = checkpoint
    if checkpoint is not None:
        exit_on_bad_checkpoint(checkpoint)


def exit_on_bad_checkpoint(checkpoint):
    """Stop with a message naming the problem if a local file or a shipped ``lfdn://NAME``
    cannot be loaded; other URLs are left to mmengine's loaders."""
    try:
        path = resolve_checkpoint(checkpoint)
        if '://' not in str(path):
            check_checkpoint(path)
    except (CheckpointError, ValueError) as error:
        raise SystemExit(f'error: {error}') from None


def enable_auto_scale_lr(cfg):
    """Scale the learning rate by (total batch size / ``auto_scale_lr.base_batch_size``)."""
    scale = cfg.get('auto_scale_lr')
    if not scale or 'base_batch_size' not in scale:
        raise SystemExit('--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=N)` '
                         'in the config: the batch size its learning rate was set for')
    scale.enable = True


def add_test_outputs(cfg, checkpoint, out=None, save_dir=None):
    """Test ``checkpoint``; keep the metrics (in ``out`` as JSON) and the restored images."""
    exit_on_bad_checkpoint(checkpoint)
    cfg.load_from = checkpoint
    train_loop_reads_test_data(cfg)
    hooks = [dict(type='MetricsDumpHook', out_file=out)]
    if save_dir:
        hooks.append(dict(type='RestoredImageSaverHook', save_dir=save_dir))
    cfg.custom_hooks = [*cfg.get('custom_hooks', []), *hooks]


def train_loop_reads_test_data(cfg):
    """Point the train loop's dataset at the (first) test set.

    MMagic's ``BasicVisualizationHook`` reads ``runner.iter`` after each test batch, which builds
    the train loop and its dataset: without this, testing would fail where the training data
    is absent. The train loop is never run.
    """
    test = cfg.get('test_dataloader')
    test = test[0] if isinstance(test, (list, tuple)) else test
    if cfg.get('train_dataloader') and test:
        cfg.train_dataloader.dataset = copy.deepcopy(test.dataset)


def test_metrics(runner):
    """Run ``runner.test()`` and return its metrics (held by ``MetricsDumpHook``)."""
    runner.test()
    hook = next(h for h in runner.hooks if type(h).__name__ == 'MetricsDumpHook')
    return hook.metrics


def paired_datasets(cfg, splits=('train', 'val', 'test')):
    """``(data_root, img_dir, gt_dir, crop)`` of every paired folder dataset the config reads.

    ``crop`` is the side of the pipeline's ``PairedRandomCrop`` (None without one).
    """
    for split in splits:
        loaders = cfg.get(f'{split}_dataloader') or []
        for loader in loaders if isinstance(loaders, (list, tuple)) else [loaders]:
            dataset = loader.get('dataset', {})
            prefix = dataset.get('data_prefix', {})
            if dataset.get('type') == 'BasicImageDataset' and {'img', 'gt'} <= set(prefix):
                yield (dataset.get('data_root', ''), prefix['img'], prefix['gt'],
                       random_crop_size(dataset.get('pipeline') or []))


def random_crop_size(pipeline):
    """``gt_patch_size`` of the ``PairedRandomCrop`` in ``pipeline``, or None."""
    sizes = [step['gt_patch_size'] for step in pipeline
             if isinstance(step, dict) and step.get('type') == 'PairedRandomCrop']
    return max(sizes) if sizes else None


def check_datasets(cfg, splits=('train', 'val', 'test')):
    """Validate the paired folders of ``splits`` before a run; stop with the first problem."""
    for root, img_dir, gt_dir, crop in paired_datasets(cfg, splits):
        try:
            count = validate_pairs(root, img_dir, gt_dir, min_size=crop)
        except PairValidationError as error:
            raise SystemExit(f'error: bad dataset: {error}\n(skip this check with '
                             '--skip-data-check)') from None
        print(f'data check: {count} pairs in {root} ({img_dir}/, {gt_dir}/)', flush=True)


def build_runner(cfg):
    """Build the MMEngine Runner for ``cfg`` (after :func:`prepare_cpu_distributed`)."""
    prepare_cpu_distributed(cfg)
    if 'runner_type' in cfg:
        from mmengine.registry import RUNNERS
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
