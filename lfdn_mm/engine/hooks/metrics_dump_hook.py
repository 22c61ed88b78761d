"""Keep the metrics of a test run and write them to a JSON file."""
from mmagic.registry import HOOKS
from mmengine.dist import master_only
from mmengine.hooks import Hook

from ...utils import write_json


@HOOKS.register_module()
class MetricsDumpHook(Hook):
    """Store the metrics of ``after_test_epoch`` and write them to ``out_file`` as JSON.

    MMagic's ``MultiTestLoop.run`` returns nothing, so this is where its metrics are caught.

    Args:
        out_file (str, optional): JSON file to write; nothing is written when None.
    """

    priority = 'LOW'

    def __init__(self, out_file=None):
        self.out_file = out_file
        self.metrics = None

    @master_only
    def after_test_epoch(self, runner, metrics=None):
        self.metrics = {key: float(value) for key, value in (metrics or {}).items()}
        if self.out_file:
            write_json(self.out_file, self.metrics)
