import re

import numpy as np
import pytest
from mmengine.runner import Runner

from helpers.tiny_configs import write_tiny_config
from lfdn_mm.engine import skip_batches_without_loading
from test_crash_proof_training import losses_by_iteration, train


class CountingDataset:
    """Index and one draw of the worker's global RNG per item; counts the items it was asked."""

    def __init__(self, size=7):
        self.size = size
        self.loaded = 0

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        self.loaded += 1
        return dict(index=index, draw=float(np.random.rand()))


def dataloader(num_workers):
    return Runner.build_dataloader(
        dict(batch_size=2, num_workers=num_workers, persistent_workers=num_workers > 0,
             sampler=dict(type='InfiniteSampler', shuffle=True),
             dataset=CountingDataset()), seed=3)


def batches(iterator, count):
    return [list(zip(*next(iterator).values())) for _ in range(count)]


@pytest.mark.parametrize('num_workers', [0, 1])
def test_skip_lands_on_the_same_indices_with_fresh_reproducible_draws(num_workers):
    straight = batches(iter(dataloader(num_workers)), 6)
    resumed = batches(skip_batches_without_loading(dataloader(num_workers), 4), 2)
    again = batches(skip_batches_without_loading(dataloader(num_workers), 4), 2)

    assert [[i for i, _ in b] for b in resumed] == [[i for i, _ in b] for b in straight[4:]]
    assert again == resumed
    resumed_draws = {d for b in resumed for _, d in b}
    assert not resumed_draws & {d for b in straight for _, d in b}


def test_skip_loads_no_item_of_the_skipped_batches():
    loader = dataloader(0)
    next(skip_batches_without_loading(loader, 50))
    assert loader.dataset.loaded == 2


def test_samplers_other_than_infinite_are_left_to_replay():
    loader = Runner.build_dataloader(
        dict(batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
             dataset=CountingDataset()), seed=3)
    assert skip_batches_without_loading(loader, 2) is None


@pytest.mark.slow
def test_resumed_run_skips_by_index_and_trains_on(tmp_path, tiny_demo):
    def config(name, iterations):
        loop = (f"train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters={iterations}, "
                f"val_interval={iterations})\n")
        return write_tiny_config(tmp_path / name, tiny_demo, max_iters=iterations, extra=loop)

    work_dir = tmp_path / 'work'
    first = train(config('a.py', 2), work_dir)
    assert first.returncode == 0, first.stderr[-2000:]
    resumed = train(config('b.py', 3), work_dir, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    log = resumed.stdout + resumed.stderr
    assert re.search(r'Skipped 2 batches by sampler index without loading them', log)
    losses = losses_by_iteration(work_dir)
    assert set(losses) == {1, 2, 3} and np.isfinite(losses[3])
