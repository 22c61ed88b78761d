from .launch import (add_common_arguments, add_test_outputs, build_runner, enable_amp,
                     enable_auto_scale_lr, load_config, metrics_to_json, set_resume)

__all__ = ['add_common_arguments', 'add_test_outputs', 'build_runner', 'enable_amp',
           'enable_auto_scale_lr', 'load_config', 'metrics_to_json', 'set_resume']
