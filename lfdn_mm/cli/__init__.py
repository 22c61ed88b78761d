"""What the command-line programs run: the launch helpers of ``tools/train.py`` and
``tools/test.py``, the demo, the ``lfdn-restore`` command and the analysis tools. Programs
import from here; library code never does."""
from .launch import (add_common_arguments, add_test_outputs, build_runner, check_datasets,
                     enable_amp, enable_auto_scale_lr, load_config, set_resume, test_metrics)

__all__ = ['add_common_arguments', 'add_test_outputs', 'build_runner', 'check_datasets',
           'enable_amp', 'enable_auto_scale_lr', 'load_config', 'set_resume', 'test_metrics']
