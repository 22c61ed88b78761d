"""A hook for launcher tests: each rank writes a digest of its weights after training."""
import hashlib
import os

import torch.distributed as dist
from mmagic.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class RankWeightsProbeHook(Hook):

    def after_train(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        digest = hashlib.sha256()
        for name, tensor in sorted(model.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        rank = dist.get_rank() if dist.is_initialized() else 0
        with open(os.path.join(runner.work_dir, f'rank{rank}_weights.sha256'), 'w') as f:
            f.write(digest.hexdigest())
