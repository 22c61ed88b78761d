"""Stop training on a NaN or infinite loss before a checkpoint can record it."""
import math

import torch
from mmagic.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise ``FloatingPointError`` as soon as the training loss is not finite.

    It runs before ``CheckpointHook`` (priority ``ABOVE_NORMAL``), so the weights of the bad
    iteration are never saved and the last checkpoint stays the last good one.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        loss = (outputs or {}).get('loss', 0.0)
        loss = float(loss.detach()) if torch.is_tensor(loss) else float(loss)
        if not math.isfinite(loss):
            last = runner.message_hub.get_info('last_ckpt') or 'none written yet'
            raise FloatingPointError(
                f'training loss is {loss} at iteration {runner.iter + 1}; training stopped. '
                f'Last good checkpoint: {last}. Lower the learning rate or check the data, '
                'then resume from it.')
