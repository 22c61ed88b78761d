"""Weights-only checkpoint loading for runs built from the project's configs."""
from mmagic.registry import HOOKS
from mmengine.hooks import Hook

from ...utils import enable_safe_checkpoint_loading


@HOOKS.register_module()
class SafeCheckpointLoadingHook(Hook):
    """Call :func:`lfdn_mm.enable_safe_checkpoint_loading` when the hook is built.

    ``custom_imports`` can only import ``lfdn_mm``, which changes no loader of mmengine; a
    config that wants ``load_from`` and ``--resume`` read weights-only, with mmengine's message
    hub allowed, lists this hook (``configs/_base_/lfdn_runtime.py`` does). The Runner builds its
    hooks before it loads or resumes anything, in whatever program runs the config.
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        enable_safe_checkpoint_loading()
