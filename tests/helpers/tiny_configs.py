"""Configs that point the demo recipe at a tiny demo set, for fast tool tests."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = ROOT / 'configs/lfdn/lfdn_c50n4-gres_1xb8-lr5e-4-600i_paired-derain.py'


def write_tiny_config(path, data_root, base=DEMO_CONFIG, max_iters=2, extra=''):
    """A config that trains ``base`` for ``max_iters`` iterations on the tiny demo set."""
    path.write_text(f"""_base_ = ['{base}']
train_dataloader = dict(batch_size=2, dataset=dict(data_root='{data_root}/train'))
val_dataloader = dict(dataset=dict(data_root='{data_root}/val'))
test_dataloader = val_dataloader
train_cfg = dict(max_iters={max_iters}, val_interval={max_iters})
param_scheduler = dict(T_max={max_iters})
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=10), logger=dict(interval=1))
model = dict(generator=dict(num_blocks=1))
{extra}""")
    return path
