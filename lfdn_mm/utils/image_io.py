"""Image and text files written atomically: a crash never leaves a half-written output.

Pixels are read and written by ``mmcv.imread`` / ``mmcv.imwrite``; the atomic replacement
around them, and RGBA channel order, are what mmcv does not do.
"""
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import cv2
import mmcv
import numpy as np


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.stem}.', suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; keep the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_image(path, image, channel_order='rgb'):
    """Write an HxW, HxWx3 or HxWx4 uint8/uint16 array atomically (format from the suffix)."""
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f'write_image expects uint8 or uint16 pixels, got {image.dtype}')
    if channel_order == 'rgb' and image.ndim == 3:
        code = cv2.COLOR_RGBA2BGRA if image.shape[2] == 4 else cv2.COLOR_RGB2BGR
        image = cv2.cvtColor(image, code)
    with atomic_path(path) as tmp:
        if not mmcv.imwrite(image, str(tmp)):
            raise OSError(f'could not write an image to {path}')


def write_json(path, data):
    """Write ``data`` as indented JSON atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + '\n')


def tensor_to_image(tensor, dtype=np.uint8):
    """Turn a CxHxW tensor in [0, 255] (MMagic's ``pred_img``) into an HxWxC array."""
    array = tensor.detach().float().cpu().numpy().transpose(1, 2, 0)
    if dtype == np.uint16:
        array = array * (65535 / 255)
    limit = np.iinfo(dtype).max
    return np.clip(np.round(array), 0, limit).astype(dtype)


def read_rgb(path):
    """Read an image file as an H x W x 3 RGB uint8 array."""
    if not Path(path).is_file():
        raise OSError(f'cannot read image {path}: no such file')
    image = mmcv.imread(str(path), flag='color', channel_order='bgr')
    if image is None:
        raise OSError(f'cannot read image {path}')
    return mmcv.bgr2rgb(image)
