"""``SynthesizeMotionBlur``: camera shake and moving objects rendered over a clean image.

Camera shake follows the random-trajectory model of Boracchi and Foi (IEEE TIP 2012), which
also underlies the Kohler and Lai blur benchmarks; moving objects get an extra straight blur
inside soft regions, as in the frame-averaged GoPro set (Nah et al., CVPR 2017). Sensor noise
and 8-bit rounding come last, as in a camera.
"""
import cv2
import numpy as np
from mmagic.registry import TRANSFORMS

from .degradation import Degradation, check_probability, check_range
from .kernels import line_kernel, shake_kernel


@TRANSFORMS.register_module()
class SynthesizeMotionBlur(Degradation):
    """Write ``img`` = ``gt`` blurred by a freshly drawn camera motion and moving objects.

    Every call draws: a camera motion (a shake trajectory with probability ``shake_prob``,
    otherwise a straight pan); with probability ``object_prob`` up to ``max_objects`` soft
    elliptic regions blurred further by a straight motion of their own; Gaussian noise.

    Args:
        shake_prob (float): Probability that the camera motion is a shake trajectory.
        shake_extent (tuple[float]): Extent of a shake trajectory, pixels.
        pan_length (tuple[float]): Length of a straight camera pan, pixels.
        object_prob (float): Probability of moving objects.
        max_objects (int): Most moving objects per image.
        object_length (tuple[float]): Length of an object's straight motion, pixels.
        object_size (tuple[float]): Object radius as a fraction of the shorter image side.
        noise_sigma (tuple[float]): Gaussian noise sigma, in 8-bit levels.
        gt_key, img_key, seed: See :class:`Degradation`.
    """

    def __init__(self, shake_prob=0.7, shake_extent=(3.0, 21.0), pan_length=(3.0, 25.0),
                 object_prob=0.3, max_objects=2, object_length=(5.0, 31.0),
                 object_size=(0.1, 0.35), noise_sigma=(0.0, 3.0), gt_key='gt', img_key='img',
                 seed=None):
        super().__init__(gt_key, img_key, seed)
        name = type(self).__name__
        self.shake_prob = check_probability(name, 'shake_prob', shake_prob)
        self.object_prob = check_probability(name, 'object_prob', object_prob)
        self.shake_extent = check_range(name, 'shake_extent', shake_extent, low=1, high=255)
        self.pan_length = check_range(name, 'pan_length', pan_length, low=1, high=255)
        self.object_length = check_range(name, 'object_length', object_length, low=1, high=255)
        self.object_size = check_range(name, 'object_size', object_size, low=0.01, high=1)
        self.noise_sigma = check_range(name, 'noise_sigma', noise_sigma, low=0, high=50)
        if isinstance(max_objects, bool) or not isinstance(max_objects, int) or max_objects < 1:
            raise ValueError(f'{name}: max_objects must be an int >= 1, got {max_objects!r}')
        self.max_objects = max_objects

    def camera_kernel(self, rng):
        if rng.random() < self.shake_prob:
            return shake_kernel(rng, rng.uniform(*self.shake_extent))
        return line_kernel(rng.uniform(*self.pan_length), rng.uniform(0, 180))

    def object_mask(self, shape, rng):
        """A soft ellipse (1 inside, 0 outside) somewhere in the image."""
        h, w = shape
        radius = rng.uniform(*self.object_size) * min(h, w)
        mask = np.zeros((h, w), np.float32)
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (max(int(radius * rng.uniform(0.5, 1.5)), 1), max(int(radius), 1))
        cv2.ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        return cv2.GaussianBlur(mask, (0, 0), max(radius / 4, 1))[..., None]

    def degrade(self, clean, rng):
        blurred = blur(clean, self.camera_kernel(rng))
        if rng.random() < self.object_prob:
            for _ in range(int(rng.integers(1, self.max_objects, endpoint=True))):
                moving = blur(blurred, line_kernel(rng.uniform(*self.object_length),
                                                   rng.uniform(0, 180)))
                mask = self.object_mask(clean.shape[:2], rng)
                blurred = blurred * (1 - mask) + moving * mask
        sigma = rng.uniform(*self.noise_sigma) / 255
        return blurred + rng.normal(0, sigma, blurred.shape).astype(np.float32)


def blur(image, kernel):
    """Convolve an H x W x C float image with ``kernel``, reflecting at the borders."""
    out = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)
    return out.reshape(image.shape)
