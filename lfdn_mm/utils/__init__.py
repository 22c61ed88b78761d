from .checkpoint_files import CheckpointError, check_checkpoint, previous_checkpoint
from .checkpoint_safety import allow_mmengine_checkpoints, mmengine_checkpoint_globals
from .image_io import atomic_path, tensor_to_image, write_image, write_json

__all__ = ['CheckpointError', 'check_checkpoint', 'previous_checkpoint', 'allow_mmengine_checkpoints', 'mmengine_checkpoint_globals', 'atomic_path',
           'tensor_to_image', 'write_image', 'write_json']
