"""What the on-the-fly degradations share: reading ``gt``, writing ``img``, the random source.

A degradation draws every random number from one ``numpy.random.Generator`` per call:

* ``seed=None`` (training): the generator is seeded from NumPy's global RNG, which MMEngine
  seeds per worker from ``randomness.seed``. Every call draws a new pattern and a fixed seed
  reproduces the whole run.
* ``seed=<int>`` (validation): the generator is seeded from the seed and the file name of the
  sample, so each image gets the same degradation in every epoch, whatever the order.
"""
import zlib
from pathlib import Path

import numpy as np
from mmcv.transforms import BaseTransform


def check_range(owner, name, value, low=None, high=None, integer=False):
    """Return ``value`` as a ``(min, max)`` tuple or raise a ValueError naming the argument."""
    kind = 'integers' if integer else 'numbers'
    bounds = ' and '.join(text for text in (f'>= {low}' if low is not None else '',
                                            f'<= {high}' if high is not None else '') if text)
    message = (f'{owner}: {name} must be a (min, max) pair of {kind} with min <= max'
               f'{" and both " + bounds if bounds else ""}, got {value!r}')
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ValueError(message) from None
    numbers = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(lo, bool) or isinstance(hi, bool) or not (
            isinstance(lo, numbers) and isinstance(hi, numbers)):
        raise ValueError(message)
    if lo > hi or (low is not None and lo < low) or (high is not None and hi > high):
        raise ValueError(message)
    return lo, hi


def check_probability(owner, name, value):
    """Return ``value`` if it is a probability, else raise a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f'{owner}: {name} must be a probability in [0, 1], got {value!r}')
    return float(value)


def check_flag(owner, name, value):
    """Return ``value`` if it is a bool, else raise a TypeError naming it."""
    if not isinstance(value, bool):
        raise TypeError(f'{owner}: {name} must be True or False, got {value!r}')
    return value


def as_float_image(image, owner):
    """An ``H x W x C`` float32 copy in [0, 1] of a uint8, uint16 or float (0-255) image."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        shape = getattr(image, 'shape', type(image).__name__)
        raise ValueError(f'{owner}: gt must be an H x W or H x W x C image, got {shape}')
    if image.ndim == 2:
        image = image[..., None]
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255
    if image.dtype == np.uint16:
        return image.astype(np.float32) / 65535
    return image.astype(np.float32) / 255  # MMagic's float images keep the 0-255 range


def to_uint8(image):
    """Round a [0, 1] float image to 8 bits, as a camera or an image file would."""
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


class Degradation(BaseTransform):
    """Base of the transforms that synthesise a degraded ``img`` from a clean ``gt``.

    Args:
        gt_key (str): Key of the clean image (uint8 or float, H x W [x C]).
        img_key (str): Key the degraded image is written to: 8-bit values, uint8 (or float32
            where ``gt`` is float), of the shape of ``gt``.
        seed (int, optional): ``None`` draws new parameters on every call from NumPy's
            global (per-worker seeded) RNG; an integer fixes the degradation of each file.
    """

    def __init__(self, gt_key='gt', img_key='img', seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f'{type(self).__name__}: seed must be None or an int, got {seed!r}')
        self.gt_key = gt_key
        self.img_key = img_key
        self.seed = seed

    def generator(self, results):
        """The random source of this call (see the module docstring)."""
        if self.seed is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        name = Path(str(results.get(f'{self.gt_key}_path', ''))).name
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def degrade(self, clean, rng):
        """Return the degraded version of ``clean`` (float32 H x W x C in [0, 1])."""
        raise NotImplementedError

    def render_pair(self, clean, rng):
        """Return ``(target, degraded)``; ``target`` is None where ``gt`` stays as loaded.
        Degradations that change the sharp target too (a pasted moving layer) override it."""
        return None, self.degrade(clean, rng)

    def transform(self, results):
        if self.gt_key not in results:
            raise KeyError(f'{type(self).__name__}: the sample has no {self.gt_key!r} image; '
                           f'load it first (keys: {sorted(results)})')
        gt = results[self.gt_key]
        target, degraded = self.render_pair(as_float_image(gt, type(self).__name__),
                                            self.generator(results))
        results[self.img_key] = like(gt, degraded)
        if target is not None:
            results[self.gt_key] = like(gt, target)
        if f'{self.gt_key}_path' in results:
            results.setdefault(f'{self.img_key}_path', results[f'{self.gt_key}_path'])
        results[f'ori_{self.img_key}_shape'] = results[self.img_key].shape
        # the data preprocessor orders channels by these, as for a loaded image
        for field in ('channel_order', 'color_type'):
            if f'{self.gt_key}_{field}' in results:
                results[f'{self.img_key}_{field}'] = results[f'{self.gt_key}_{field}']
        return results


def like(reference, image):
    """``image`` (float [0, 1], H x W x C) as 8-bit values in the layout of ``reference``:
    uint8, or float32 0-255 where the reference is float; 2-D where it is 2-D."""
    out = to_uint8(image)
    if reference.ndim == 2:
        out = out[..., 0]
    return out.astype(np.float32) if reference.dtype.kind == 'f' else out
