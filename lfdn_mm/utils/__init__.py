from .checkpoint_files import (CheckpointError, MissingCheckpointError, UnsafeCheckpointError,
                               check_checkpoint, enable_safe_checkpoint_loading,
                               load_checkpoint_file, previous_checkpoint,
                               register_weights_only_loaders)
from .checkpoint_safety import (allow_mmengine_checkpoints, allowing_mmengine_checkpoints,
                                mmengine_checkpoint_globals)
from .cpuinfo import cpuinfo_field
from .image_io import atomic_path, read_rgb, tensor_to_image, write_image, write_json

__all__ = ['CheckpointError', 'MissingCheckpointError', 'UnsafeCheckpointError',
           'check_checkpoint', 'enable_safe_checkpoint_loading', 'load_checkpoint_file',
           'previous_checkpoint', 'register_weights_only_loaders', 'allow_mmengine_checkpoints',
           'allowing_mmengine_checkpoints',
           'mmengine_checkpoint_globals', 'cpuinfo_field', 'atomic_path', 'read_rgb',
           'tensor_to_image',
           'write_image', 'write_json']
