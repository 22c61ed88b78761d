"""A built-in demo set: synthetic rain and motion blur on the photographs scikit-image ships.

The layout is the one every benchmark config reads, ``<root>/<split>/{input,target}/<name>.png``,
so one pipeline serves the demo and the benchmarks. Everything is drawn from one seed: the same
seed gives the same bytes.
"""
from dataclasses import dataclass
import shutil
from pathlib import Path

import cv2
import numpy as np
from skimage import data as photographs

from ..utils import write_image

#: scikit-image photographs bundled with the package (no download); grayscale ones are
#: repeated over three channels. The last two are kept for the val split.
TRAIN_PHOTOS = ('astronaut', 'chelsea', 'rocket', 'immunohistochemistry', 'hubble_deep_field',
                'camera', 'brick', 'grass', 'gravel')
VAL_PHOTOS = ('coffee', 'coins')


def load_photo(name):
    """Return the scikit-image photograph ``name`` as an RGB uint8 array."""
    image = getattr(photographs, name)()
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3])


@dataclass
class RainStyle:
    """Ranges of the synthetic rain streak layers (Rain100L/H-style screen blending)."""
    layers: tuple = (1, 3)
    density: tuple = (0.002, 0.01)
    length: tuple = (10, 30)
    width: tuple = (1, 3)
    angle: tuple = (-30.0, 30.0)
    brightness: tuple = (0.6, 0.95)


def line_kernel(length, angle, width=1):
    """A normalised line of ``length`` pixels at ``angle`` degrees, ``width`` pixels thick."""
    size = length + 2
    kernel = np.zeros((size, size), np.float32)
    centre = (size - 1) / 2
    dx, dy = np.cos(np.deg2rad(angle + 90)), np.sin(np.deg2rad(angle + 90))
    start = (round(centre - dx * length / 2), round(centre - dy * length / 2))
    end = (round(centre + dx * length / 2), round(centre + dy * length / 2))
    cv2.line(kernel, start, end, 1.0, thickness=width)
    return kernel / kernel.sum()


def rain_layer(shape, rng, style):
    """One layer of streaks in [0, 1]: sparse drops smeared along a random direction."""
    h, w = shape
    drops = (rng.random((h, w)) < rng.uniform(*style.density)).astype(np.float32)
    kernel = line_kernel(int(rng.integers(*style.length, endpoint=True)),
                         rng.uniform(*style.angle),
                         int(rng.integers(*style.width, endpoint=True)))
    streaks = cv2.filter2D(drops, -1, kernel, borderType=cv2.BORDER_REFLECT)
    streaks = cv2.GaussianBlur(streaks, (3, 3), 0.5)
    return np.clip(streaks / max(streaks.max(), 1e-6) * rng.uniform(*style.brightness), 0, 1)


def add_rain(image, rng, style=RainStyle()):
    """Screen-blend ``1 - (1 - I)(1 - R)`` a few rain layers over an RGB uint8 ``image``."""
    clean = image.astype(np.float32) / 255
    rain = np.zeros(image.shape[:2], np.float32)
    for _ in range(int(rng.integers(*style.layers, endpoint=True))):
        rain = 1 - (1 - rain) * (1 - rain_layer(image.shape[:2], rng, style))
    rainy = 1 - (1 - clean) * (1 - rain[..., None])
    return np.round(rainy * 255).astype(np.uint8)


def shake_kernel(rng, size=17, steps=64, inertia=0.7):
    """A camera-shake blur kernel: a random walk with inertia rasterised with sub-pixel weights."""
    velocity = rng.normal(size=2)
    position = np.zeros(2)
    points = []
    for _ in range(steps):
        velocity = inertia * velocity + (1 - inertia) * rng.normal(size=2) * 2
        position = position + velocity / np.linalg.norm(velocity + 1e-9) * 0.5
        points.append(position.copy())
    points = np.array(points) - np.mean(points, axis=0)
    span = np.abs(points).max()
    if span > (size - 3) / 2:
        points *= (size - 3) / 2 / span
    kernel = np.zeros((size, size), np.float32)
    for x, y in points + (size - 1) / 2:
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        kernel[y0, x0] += (1 - fx) * (1 - fy)
        kernel[y0, x0 + 1] += fx * (1 - fy)
        kernel[y0 + 1, x0] += (1 - fx) * fy
        kernel[y0 + 1, x0 + 1] += fx * fy
    return kernel / kernel.sum()


def add_motion_blur(image, rng, kernel_size=17, noise_sigma=1.0):
    """Convolve an RGB uint8 ``image`` with a random shake kernel and add mild noise."""
    kernel = shake_kernel(rng, kernel_size)
    blurred = cv2.filter2D(image.astype(np.float32), -1, kernel, borderType=cv2.BORDER_REFLECT)
    blurred += rng.normal(scale=noise_sigma, size=blurred.shape).astype(np.float32)
    return np.clip(np.round(blurred), 0, 255).astype(np.uint8)


DEGRADATIONS = {'derain': add_rain, 'deblur': add_motion_blur}


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
    if task not in DEGRADATIONS:
        raise ValueError(f"task must be one of {sorted(DEGRADATIONS)}, got {task!r}")
    root = Path(root)
    if root.exists() and not overwrite:
        raise FileExistsError(f'{root} already exists; remove it or pass overwrite=True')
    rng = np.random.default_rng(seed)
    degrade = DEGRADATIONS[task]
    staging = root.with_name(f'.{root.name}.partial')
    shutil.rmtree(staging, ignore_errors=True)
    counts = {}
    for split, photos, count in (('train', TRAIN_PHOTOS, num_train), ('val', VAL_PHOTOS, num_val)):
        images = [load_photo(name) for name in photos]
        for index in range(count):
            photo = index % len(photos)
            clean = random_crop(images[photo], crop_size, rng)
            name = f'{photos[photo]}_{index:04d}.png'
            write_image(staging / split / 'target' / name, clean)
            write_image(staging / split / 'input' / name, degrade(clean, rng))
        counts[split] = count
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)  # a crash midway never leaves a half-written set at ``root``
    return counts
