"""Faults injected into training runs by the reliability tests."""
import os
import signal

import torch
from mmagic.registry import HOOKS, MODELS
from mmengine.hooks import Hook
from torch import nn


@HOOKS.register_module()
class KillAfterIterationHook(Hook):
    """SIGKILL the process right after iteration ``at`` (after its checkpoint is written)."""

    priority = 'LOWEST'

    def __init__(self, at):
        self.at = at

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == self.at:
            os.kill(os.getpid(), signal.SIGKILL)


@MODELS.register_module()
class NaNAfterLoss(nn.Module):
    """MSE for the first ``good_calls`` calls, NaN afterwards."""

    def __init__(self, good_calls):
        super().__init__()
        self.good_calls = good_calls
        self.calls = 0

    def forward(self, pred, target):
        self.calls += 1
        loss = nn.functional.mse_loss(pred, target)
        return loss if self.calls <= self.good_calls else loss * torch.tensor(float('nan'))
