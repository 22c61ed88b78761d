"""The Python API: restoring images (``init_restorer``, ``restore_image``, ``restore_files``),
MMagic's inferencer with an LFDN config, and ONNX export."""
from .batch_restore import ImageTooLargeError, restore_file, restore_files
from .image_files import ImageReadError
from .inference import init_restorer, restore_image
from .inferencer import LFDNInferencer
from .onnx_export import export_onnx

__all__ = ['ImageReadError', 'ImageTooLargeError', 'LFDNInferencer', 'export_onnx',
           'init_restorer', 'restore_file', 'restore_files', 'restore_image']
