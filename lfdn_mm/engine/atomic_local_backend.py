"""A local file backend whose writes are atomic, for checkpoints that survive a kill."""
import os

from mmengine.fileio import LocalBackend, register_backend

from ..utils import atomic_path


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` that writes to a temporary file, syncs it, then renames it in place.

    mmengine's ``save_checkpoint`` streams ``torch.save`` output through the backend's
    ``put``; with this backend (``CheckpointHook(backend_args=dict(backend='atomic_local'))``)
    a process killed while saving leaves the previous file intact and no truncated
    checkpoint under the final name.
    """

    def put(self, obj, filepath):
        with atomic_path(filepath) as tmp, open(tmp, 'wb') as f:
            f.write(obj)
            f.flush()
            os.fsync(f.fileno())

    def put_text(self, obj, filepath, encoding='utf-8'):
        self.put(obj.encode(encoding), filepath)
