"""The Python API: restoring images (``init_restorer``, ``restore_image``, ``restore_files``),
MMagic's inferencer with an LFDN config, ONNX export, and the launch helpers of the tools."""
from .batch_restore import ImageTooLargeError, restore_file, restore_files
from .image_files import ImageReadError
from .inference import init_restorer, restore_image
from .inferencer import LFDNInferencer
from .launch import (add_common_arguments, add_test_outputs, build_runner, check_datasets,
                     enable_amp, enable_auto_scale_lr, load_config, set_resume, test_metrics)
from .onnx_export import export_onnx

__all__ = ['ImageReadError', 'ImageTooLargeError', 'LFDNInferencer', 'add_common_arguments',
           'add_test_outputs', 'build_runner', 'check_datasets', 'enable_amp',
           'enable_auto_scale_lr', 'export_onnx', 'init_restorer', 'load_config', 'restore_file',
           'restore_files', 'restore_image', 'set_resume', 'test_metrics']
