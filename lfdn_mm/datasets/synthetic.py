"""Built-in demo data from the photographs scikit-image ships (no download).

* :func:`write_demo_photos`: the clean photographs as a folder, for on-the-fly degradation.
* :func:`make_demo_set`: fixed degraded/clean pairs in the layout every benchmark config reads,
  ``<root>/<split>/{input,target}/<name>.png``, degraded by the same transforms with a fixed
  seed (the same seed gives the same bytes). Tests and quick checks use it.
"""
import shutil
from pathlib import Path

import numpy as np
from skimage import data as photographs

from ..utils import write_image
from .transforms import SynthesizeCameraBlur, SynthesizeRain

#: scikit-image photographs bundled with the package (no download); grayscale ones are
#: repeated over three channels. The last two are kept for the val split.
TRAIN_PHOTOS = ('astronaut', 'chelsea', 'rocket', 'immunohistochemistry', 'hubble_deep_field',
                'camera', 'brick', 'grass', 'gravel')
VAL_PHOTOS = ('coffee', 'coins')
#: the clean photographs of the on-the-fly demo; ``CleanImageDataset`` holds some out for val
DEMO_PHOTOS = ('astronaut', 'brick', 'camera', 'cat', 'chelsea', 'clock', 'coffee', 'coins',
               'grass', 'gravel', 'hubble_deep_field', 'immunohistochemistry', 'moon', 'rocket')


def load_photo(name):
    """Return the scikit-image photograph ``name`` as an RGB uint8 array."""
    image = getattr(photographs, name)()
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3])


def degradation(task, seed):
    """The on-the-fly degradation of ``task`` with a fixed ``seed``."""
    if task not in DEGRADATIONS:
        raise ValueError(f"task must be one of {sorted(DEGRADATIONS)}, got {task!r}")
    transform, arguments = DEGRADATIONS[task]
    return transform(seed=seed, **arguments)


#: task -> (transform, arguments): demo crops are small, so their camera paths are shorter
DEGRADATIONS = {'derain': (SynthesizeRain, {}),
                'deblur': (SynthesizeCameraBlur, dict(translation=(2.0, 24.0),
                                                      object_translation=(2.0, 24.0)))}


def random_crop(image, size, rng):
    """A random ``size`` x ``size`` crop (the whole side where the image is smaller)."""
    h, w = image.shape[:2]
    top = int(rng.integers(0, max(h - size, 0) + 1))
    left = int(rng.integers(0, max(w - size, 0) + 1))
    return image[top:top + size, left:left + size]


def make_demo_set(root, task='derain', num_train=48, num_val=6, crop_size=128, seed=0,
                  overwrite=False):
    """Write a demo train/val split of degraded/clean pairs under ``root``.

    Args:
        root (str | Path): Output folder; gets ``train/`` and ``val/``, each with
            ``input/`` (degraded) and ``target/`` (clean) PNGs of the same names.
        task (str): ``'derain'`` or ``'deblur'``.
        num_train (int): Training pairs, cropped from :data:`TRAIN_PHOTOS`.
        num_val (int): Validation pairs, cropped from :data:`VAL_PHOTOS` (unseen in training).
        crop_size (int): Side of each square pair.
        seed (int): Seed of every random choice.
        overwrite (bool): Replace an existing ``root`` instead of refusing.

    Returns:
        dict: Number of pairs written per split.
    """
    root = Path(root)
    if root.exists() and not overwrite:
        raise FileExistsError(f'{root} already exists; remove it or pass overwrite=True')
    rng = np.random.default_rng(seed)
    degrade = degradation(task, seed)
    staging = root.with_name(f'.{root.name}.partial')
    shutil.rmtree(staging, ignore_errors=True)
    counts = {}
    for split, photos, count in (('train', TRAIN_PHOTOS, num_train), ('val', VAL_PHOTOS, num_val)):
        images = [load_photo(name) for name in photos]
        for index in range(count):
            photo = index % len(photos)
            clean = random_crop(images[photo], crop_size, rng)
            name = f'{photos[photo]}_{index:04d}.png'
            pair = degrade(dict(gt=clean, gt_path=name))  # a moving layer changes gt too
            write_image(staging / split / 'target' / name, pair['gt'])
            write_image(staging / split / 'input' / name, pair['img'])
        counts[split] = count
    replace_folder(staging, root)
    return counts


def replace_folder(staging, root):
    """Move a finished ``staging`` folder to ``root``: a crash midway never leaves a
    half-written set at ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)


def write_demo_photos(root, overwrite=False):
    """Write the clean demo photographs (:data:`DEMO_PHOTOS`) as PNGs into ``root``.

    The folder is what the on-the-fly demo trains on (``CleanImageDataset``), exactly as a
    folder of your own photographs would be.

    Returns:
        int: Number of photographs written.
    """
    root = Path(root)
    if root.exists() and not overwrite:
        raise FileExistsError(f'{root} already exists; remove it or pass overwrite=True')
    staging = root.with_name(f'.{root.name}.partial')
    shutil.rmtree(staging, ignore_errors=True)
    for name in DEMO_PHOTOS:
        write_image(staging / f'{name}.png', load_photo(name))
    replace_folder(staging, root)
    return len(DEMO_PHOTOS)
