"""Check a folder pair in the layout MMagic's ``BasicImageDataset`` reads before training on it.

The layout is ``<root>/<img_dir>/<name>`` and ``<root>/<gt_dir>/<name>``: the two files of a pair
share their name and extension. :func:`validate_pairs` checks that every name has its partner,
the number of pairs, that every file decodes completely (Pillow's decoders find truncated files
that OpenCV reads without complaint) in a format OpenCV reads (MMagic's ``LoadImageFromFile``
decodes with OpenCV), that both images of a pair have the same size and, for training, that
they are at least as large as the random crop; its errors name the first offending files and
what was expected.

Grayscale, RGBA and 16-bit images pass: ``LoadImageFromFile`` with ``color_type='color'``
turns them into 8-bit three-channel images.
"""
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
from mmagic.datasets.basic_image_dataset import IMG_EXTENSIONS
from PIL import Image

#: how many offending files an error message lists before it only counts the rest
SHOWN_IN_ERRORS = 5


class PairValidationError(ValueError):
    """A folder pair that ``BasicImageDataset`` would misread or fail on."""


def list_images(folder):
    """Names with an image extension directly in ``folder``: files, links (dangling ones
    included) and folders, which are then reported as unreadable.

    Args:
        folder (str | Path): Folder to list.

    Returns:
        list[str]: Sorted names with one of MMagic's image extensions.
    """
    with os.scandir(folder) as entries:
        return sorted(entry.name for entry in entries
                      if entry.name.endswith(IMG_EXTENSIONS)
                      and (entry.is_symlink() or entry.is_file() or entry.is_dir()))


def describe(path, root):
    """``path`` relative to ``root``, followed by the file a link points to."""
    path = Path(path)
    shown = os.path.relpath(path, root)
    if path.is_symlink():
        shown += f' -> {os.readlink(path)}'
    return shown


def listing(items):
    """The first :data:`SHOWN_IN_ERRORS` of ``items``, then how many were left out."""
    items = list(items)
    shown = '\n  '.join(items[:SHOWN_IN_ERRORS])
    rest = len(items) - SHOWN_IN_ERRORS
    return f'\n  {shown}' + (f'\n  ... and {rest} more' if rest > 0 else '')


def read_size(path):
    """Decode the whole image at ``path``.

    Args:
        path (Path): Image file (links are followed).

    Returns:
        tuple: ``((width, height), None)`` for a readable image, ``(None, reason)`` otherwise.
    """
    if Path(path).is_dir():
        return None, 'a folder, not an image file'
    try:
        with Image.open(path) as image:
            image.load()  # a truncated file fails here, not at open
            size, image_format = image.size, image.format
    except Exception as error:  # any decoder failure means the file is unreadable
        return None, f'{type(error).__name__}: {error}'
    if not cv2.haveImageReader(str(path)):
        return None, (f'a {image_format} image, which OpenCV (the decoder of MMagic\'s '
                      'LoadImageFromFile) cannot read')
    return size, None


def read_sizes(paths, num_workers):
    """:func:`read_size` of each distinct file (several links may share one image)."""
    unique = sorted({Path(path).resolve() for path in paths})
    with ThreadPoolExecutor(max(1, num_workers)) as pool:
        results = dict(zip(unique, pool.map(read_size, unique)))
    return {path: results[Path(path).resolve()] for path in paths}


def check_folders(root, img_dir, gt_dir):
    """Raise when ``root/img_dir`` or ``root/gt_dir`` is not a folder."""
    missing = [name for name in (img_dir, gt_dir) if not (root / name).is_dir()]
    if missing:
        raise PairValidationError(
            f'{root}: expected the folders {img_dir}/ and {gt_dir}/, missing: '
            + ', '.join(f'{name}/' for name in missing))


def check_names(root, img_dir, gt_dir, img_names, gt_names):
    """Raise when a name is in only one of the two folders."""
    problems = []
    for here, there, names, others in ((img_dir, gt_dir, img_names, gt_names),
                                       (gt_dir, img_dir, gt_names, img_names)):
        alone = sorted(set(names) - set(others))
        if alone:
            problems.append(f'{len(alone)} file(s) in {here}/ have no file of the same name '
                            f'(and extension) in {there}/:'
                            + listing(describe(root / here / name, root) for name in alone))
    if problems:
        raise PairValidationError(f'{root}: ' + '\n'.join(problems))


def check_count(root, count, expected_count):
    """Raise when ``count`` pairs were found where ``expected_count`` were expected."""
    if count == 0:
        raise PairValidationError(f'{root}: no image pairs found')
    if expected_count is not None and count != expected_count:
        raise PairValidationError(
            f'{root}: found {count} pairs, expected {expected_count} (the full benchmark)')


def check_images(root, img_dir, gt_dir, names, num_workers):
    """Raise when a file does not decode or the two images of a pair differ in size.

    Returns:
        dict: ``{path: ((width, height), None)}`` of every image.
    """
    img_paths = [root / img_dir / name for name in names]
    gt_paths = [root / gt_dir / name for name in names]
    sizes = read_sizes(img_paths + gt_paths, num_workers)
    unreadable = [f'{describe(path, root)} ({sizes[path][1]})'
                  for path in img_paths + gt_paths if sizes[path][0] is None]
    if unreadable:
        raise PairValidationError(
            f'{root}: {len(unreadable)} file(s) cannot be read as images:' + listing(unreadable))
    mismatched = [
        f'{name}: {img_dir} {sizes[img][0][0]}x{sizes[img][0][1]} ({describe(img, root)}), '
        f'{gt_dir} {sizes[gt][0][0]}x{sizes[gt][0][1]} ({describe(gt, root)})'
        for name, img, gt in zip(names, img_paths, gt_paths) if sizes[img][0] != sizes[gt][0]]
    if mismatched:
        raise PairValidationError(
            f'{root}: {len(mismatched)} pair(s) differ in size (width x height); both images '
            'of a pair must have the same size:' + listing(mismatched))
    return sizes


def check_min_size(root, img_dir, names, sizes, min_size):
    """Raise when a pair (both images have one size) is narrower or lower than ``min_size``."""
    paths = [root / img_dir / name for name in names]
    small = [f'{name}: {sizes[path][0][0]}x{sizes[path][0][1]} ({describe(path, root)})'
             for name, path in zip(names, paths) if min(sizes[path][0]) < min_size]
    if small:
        raise PairValidationError(
            f'{root}: {len(small)} pair(s) are smaller than the {min_size}x{min_size} training '
            'crop (PairedRandomCrop); remove them or lower the crop size:' + listing(small))


def validate_pairs(root, img_dir='input', gt_dir='target', expected_count=None, num_workers=4,
                   min_size=None):
    """Check the paired folders ``root/img_dir`` and ``root/gt_dir`` as a dataset config reads them.

    Checks, in this order: both folders exist; every image name (extension included) is in both;
    there is at least one pair and, when ``expected_count`` is given, exactly that many; every
    file (or the file a link points to) decodes completely, in a format OpenCV reads; the two
    images of each pair have the same width and height; when ``min_size`` is given, both sides
    are at least that long.

    Args:
        root (str | Path): ``data_root`` of the dataset.
        img_dir (str): Folder of the degraded images (``data_prefix.img``).
        gt_dir (str): Folder of the clean images (``data_prefix.gt``).
        expected_count (int, optional): Number of pairs required; None accepts any number.
        num_workers (int): Threads decoding images.
        min_size (int, optional): Shortest side allowed, e.g. the training crop
            (``PairedRandomCrop.gt_patch_size``); None accepts any size.

    Returns:
        int: Number of pairs.

    Raises:
        PairValidationError: On the first failed check; the message names the first offending
            files (with the file each link points to) and what was expected.
    """
    root = Path(root)
    check_folders(root, img_dir, gt_dir)
    img_names, gt_names = list_images(root / img_dir), list_images(root / gt_dir)
    check_names(root, img_dir, gt_dir, img_names, gt_names)
    check_count(root, len(img_names), expected_count)
    sizes = check_images(root, img_dir, gt_dir, img_names, num_workers)
    if min_size is not None:
        check_min_size(root, img_dir, img_names, sizes, min_size)
    return len(img_names)
