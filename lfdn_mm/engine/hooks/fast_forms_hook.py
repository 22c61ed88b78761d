"""Train and evaluate with the fast forms of the LFDN modules."""
from mmagic.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ...inference.fast_forms import convert_for_inference


@HOOKS.register_module()
class FastFormsHook(Hook):
    """Switch the model to the fast forms of its modules before training, validation or testing.

    :func:`lfdn_mm.models.convert_for_inference` without a local-statistics window: ACFM folded
    into 2-D convolutions, instance norms as ``group_norm``, and with ``channels_last`` the 2-D
    convolution weights in channels_last. The function and the gradients are those of the plain
    modules; only the computation is faster (see docs/benchmarks.md). Modules change in place
    with their Parameter objects, so the optimizer built before this hook runs keeps working,
    and checkpoints stay loadable into plain models. ``configs/_base_/lfdn_runtime.py`` adds it
    to ``default_hooks``; ``--cfg-options default_hooks.fast_forms.enabled=False`` keeps the
    plain modules (MMEngine accepts ``None`` only for its own default hooks).

    Args:
        channels_last (bool): Also store the 2-D convolution weights in channels_last.
        enabled (bool): Convert at all.
    """

    priority = 'VERY_HIGH'

    def __init__(self, channels_last=False, enabled=True):
        self.channels_last = channels_last
        self.enabled = enabled

    def convert(self, runner):
        if not self.enabled:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        convert_for_inference(model, channels_last=self.channels_last)

    def before_train(self, runner):
        self.convert(runner)

    def before_val(self, runner):
        self.convert(runner)

    def before_test(self, runner):
        self.convert(runner)
