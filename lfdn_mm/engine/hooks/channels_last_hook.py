"""Train and evaluate with the fast forms and the 2-D convolutions in channels_last."""
from mmagic.registry import HOOKS

from .fast_forms_hook import FastFormsHook


@HOOKS.register_module()
class ChannelsLastHook(FastFormsHook):
    """:class:`FastFormsHook` with the weights of every 2-D convolution in channels_last.

    The arithmetic is unchanged; on CPUs the channels_last kernels are faster for LFDN (see
    docs/benchmarks.md). Parameters are converted in place, so the optimizer built before
    this hook runs keeps working, and checkpoints stay loadable into contiguous models.
    """

    def __init__(self, channels_last=True):
        super().__init__(channels_last)
