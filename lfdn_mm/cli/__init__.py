"""What the command-line programs run: the launch helpers of ``tools/train.py`` and
``tools/test.py``, the demo, the ``lfdn-restore`` command and the analysis tools. Programs
import from here; library code never does. Importing it applies the programs' process-wide
settings, which ``import lfdn_mm`` leaves alone: the known third-party warnings are hidden and
every checkpoint is loaded weights-only (:func:`lfdn_mm.enable_safe_checkpoint_loading`)."""
from ..third_party_warnings import hide_third_party_warnings
from ..utils import enable_safe_checkpoint_loading
from .launch import (add_common_arguments, add_test_outputs, build_runner, check_datasets,
                     enable_amp, enable_auto_scale_lr, load_config, release_process_group,
                     set_resume, test_metrics)

__all__ = ['add_common_arguments', 'add_test_outputs', 'build_runner', 'check_datasets',
           'enable_amp', 'enable_auto_scale_lr', 'load_config', 'release_process_group',
           'set_resume', 'test_metrics']

hide_third_party_warnings()
enable_safe_checkpoint_loading()
