"""Train and evaluate with the 2-D convolutions in channels_last memory format."""
from mmagic.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ...models.memory_format import to_channels_last


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Store the weights of every 2-D convolution in channels_last before training or testing.

    The arithmetic is unchanged; on CPUs the channels_last kernels are faster for LFDN (see
    docs/benchmarks.md). Parameters are converted in place, so the optimizer built before
    this hook runs keeps working, and checkpoints stay loadable into contiguous models.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def convert(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        to_channels_last(model)

    def before_train(self, runner):
        self.convert(runner)

    def before_val(self, runner):
        self.convert(runner)

    def before_test(self, runner):
        self.convert(runner)
