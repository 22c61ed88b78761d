"""Image files for restoring: reading (8/16-bit, gray, RGBA, damaged files refused), finding
inputs (files, folders, glob patterns) and planning where each restored image goes."""
import glob
import io
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .video import VIDEO_SUFFIXES

IMAGE_SUFFIXES = ('.bmp', '.jpeg', '.jpg', '.png', '.ppm', '.pgm', '.tif', '.tiff', '.webp')
JPEG_START = b'\xff\xd8\xff'


class ImageReadError(ValueError):
    """An input file that is not a decodable image."""


def read_image(path):
    """Read ``path`` as an HxW, HxWx3 (RGB) or HxWx4 (RGBA) uint8/uint16 array."""
    data = Path(path).read_bytes()
    if not data:
        raise ImageReadError(f'{path}: empty file')
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None:
        raise ImageReadError(f'{path}: not a readable image (corrupt or unsupported format)')
    if data.startswith(JPEG_START):
        check_complete_jpeg(path, data)
    if image.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(f'{path}: unsupported pixel type {image.dtype} '
                             '(8- and 16-bit images are supported)')
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return image


def check_complete_jpeg(path, data):
    """Raise :class:`ImageReadError` for a truncated or damaged JPEG.

    OpenCV fills the missing part of a truncated JPEG with grey instead of failing; Pillow's
    decoder refuses it.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Image.DecompressionBombError:
        return  # larger than Pillow accepts; OpenCV has decoded it
    except Exception as error:  # any decoder failure means the data is damaged
        raise ImageReadError(f'{path}: truncated or corrupt JPEG ({error})') from None


def collect_inputs(sources):
    """Expand image paths, folders and glob patterns into ``(images, skipped)``.

    Named files are always taken; folders (not recursively) and glob patterns contribute
    the files with an image or video suffix (:data:`IMAGE_SUFFIXES`,
    :data:`~lfdn_mm.apis.video.VIDEO_SUFFIXES`); the other files and the sub-folders they
    hold are ``skipped``. Hidden files are ignored.
    """
    images, skipped = [], []

    def add_candidates(paths):
        for path in sorted(paths):
            if path.name.startswith('.'):
                continue
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES:
                images.append(path)
            elif path.is_file() or path.is_dir():
                skipped.append(path)

    for source in map(str, sources):
        path = Path(source)
        if path.is_file():
            images.append(path)
        elif path.is_dir():
            add_candidates(path.iterdir())
        elif any(char in source for char in '*?['):
            matches = [Path(match) for match in glob.glob(source, recursive=True)]
            if not matches:
                raise FileNotFoundError(f'{source} matches no files')
            add_candidates(matches)
        else:
            raise FileNotFoundError(f'{source}: no such file or folder')
    unique = list({path.resolve(): path for path in images}.values())
    if not unique:
        raise FileNotFoundError(f'no images or videos found in {", ".join(map(str, sources))}')
    return unique, skipped


def file_id(path):
    """The device and inode of ``path``: equal for links to the same file."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def plan_outputs(inputs, out_dir):
    """Pair every input with ``out_dir/<its name>``; refuse any plan that overwrites an input.

    Raises:
        ValueError: When ``out_dir`` holds an input, two inputs share a name, or an output
            path is an input file under another name (link).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f'output folder {out_dir} exists and is not a folder')
    input_ids = {file_id(path) for path in inputs}
    plan, sources_by_target = [], {}
    for path in inputs:
        if path.resolve().parent == out_dir.resolve():
            raise ValueError(f'output folder {out_dir} is the folder of input {path}: '
                             'refusing to overwrite inputs, choose another output folder')
        target = out_dir / path.name
        if target in sources_by_target:
            raise ValueError(f'{sources_by_target[target]} and {path} would both be written '
                             f'to {target}')
        if target.exists() and file_id(target) in input_ids:
            raise ValueError(f'output {target} is the input file {path}: refusing to '
                             'overwrite it')
        sources_by_target[target] = path
        plan.append((path, target))
    return plan
