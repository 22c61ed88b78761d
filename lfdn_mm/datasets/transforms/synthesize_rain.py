"""``SynthesizeRain``: rain streaks rendered over a clean image on the fly.

The rendering follows how the deraining benchmarks were made (Yang et al., CVPR 2017, for
Rain100L/H; Fu et al., CVPR 2017, for Rain14000): sparse random drops smeared by a motion-blur
line into streaks, one layer (Rain100L) up to several layers in different directions (Rain100H),
added or screen-blended over the image, with a veil of haze for heavy rain.
"""
import cv2
import numpy as np
from mmagic.registry import TRANSFORMS

from .degradation import Degradation, check_flag, check_probability, check_range
from .kernels import line_kernel

BLEND_MODES = ('add', 'screen')


@TRANSFORMS.register_module()
class SynthesizeRain(Degradation):
    """Write ``img`` = ``gt`` with freshly drawn rain streaks (and sometimes a haze veil).

    Every call draws: the number of layers; one main direction and, per layer, a deviation from
    it, a density, a length, a width, a peak intensity and a softness; a blend mode; whether
    and how strong a veil is. Each range is ``(min, max)``, drawn uniformly (``density``
    log-uniformly). The defaults span light rain (one sparse layer of thin streaks) to heavy
    rain (several dense, wide layers in different directions under a veil).

    Args:
        layers (tuple[int]): Streak layers per image.
        density (tuple[float]): Fraction of pixels that start a streak, per layer.
        length (tuple[float]): Streak length in pixels.
        lengths_per_layer (tuple[int]): How many different lengths the streaks of one layer
            have, each drawn from ``length`` (drops at different depths streak differently).
        taper (tuple[float]): How much a streak fades towards its ends, 0 (even) to 1 (to zero),
            as a drop's streak does at the start and end of the exposure.
        width (tuple[int]): Streak thickness in pixels.
        drop_brightness (tuple[float]): Brightness of one drop relative to its layer's peak,
            drawn per drop: a wide range mixes faint and bright streaks in one layer.
        angle (tuple[float]): Main streak direction, degrees from vertical.
        angle_spread (float): Largest per-layer deviation from the main direction, degrees.
        intensity (tuple[float]): Peak brightness a layer adds, in [0, 1].
        softness (tuple[float]): Gaussian sigma (pixels) that softens the streaks; 0 = sharp.
        soften_each_length (bool): Draw a softness for each of a layer's lengths instead of one
            for the layer, so that near (long, blurred) and far (short, sharp) drops mix.
        blend_modes (tuple[str]): Drawn per image: ``'add'`` (``I + R``) or ``'screen'``
            (``1 - (1 - I)(1 - R)``).
        haze_prob (float): Probability of a haze veil.
        haze (tuple[float]): Veil opacity ``t`` in ``I (1 - t) + A t``.
        airlight (tuple[float]): Veil brightness ``A`` in [0, 1].
        gt_key, img_key, seed: See :class:`Degradation`.
    """

    def __init__(self, layers=(1, 3), density=(0.0005, 0.02), length=(8, 60),
                 lengths_per_layer=(1, 1), taper=(0.0, 0.0), width=(1, 3),
                 drop_brightness=(0.5, 1.0), angle=(-30.0, 30.0),
                 angle_spread=20.0, intensity=(0.1, 0.8), softness=(0.0, 1.2),
                 soften_each_length=False,
                 blend_modes=BLEND_MODES, haze_prob=0.2, haze=(0.05, 0.3), airlight=(0.6, 1.0),
                 gt_key='gt', img_key='img', seed=None):
        super().__init__(gt_key, img_key, seed)
        name = type(self).__name__
        self.layers = check_range(name, 'layers', layers, low=1, integer=True)
        self.density = check_range(name, 'density', density, low=1e-6, high=1)
        self.length = check_range(name, 'length', length, low=1, high=512)
        self.lengths_per_layer = check_range(name, 'lengths_per_layer', lengths_per_layer,
                                             low=1, high=8, integer=True)
        self.taper = check_range(name, 'taper', taper, low=0, high=1)
        self.width = check_range(name, 'width', width, low=1, high=32, integer=True)
        self.drop_brightness = check_range(name, 'drop_brightness', drop_brightness, low=0, high=1)
        self.angle = check_range(name, 'angle', angle, low=-90, high=90)
        self.angle_spread = check_range(name, 'angle_spread', (0, angle_spread), low=0, high=90)[1]
        self.intensity = check_range(name, 'intensity', intensity, low=0, high=1)
        self.softness = check_range(name, 'softness', softness, low=0, high=10)
        self.soften_each_length = check_flag(name, 'soften_each_length', soften_each_length)
        self.haze = check_range(name, 'haze', haze, low=0, high=1)
        self.airlight = check_range(name, 'airlight', airlight, low=0, high=1)
        self.haze_prob = check_probability(name, 'haze_prob', haze_prob)
        if not blend_modes or any(mode not in BLEND_MODES for mode in blend_modes):
            raise ValueError(f'{name}: blend_modes must be a non-empty subset of {BLEND_MODES}, '
                             f'got {blend_modes!r}')
        self.blend_modes = tuple(blend_modes)

    def streak_layer(self, shape, rng, angle):
        """One layer of streaks in [0, 1] over an ``H x W`` canvas."""
        lengths = rng.uniform(*self.length, self.draw(rng.integers, self.lengths_per_layer, 1))
        width = int(rng.integers(*self.width, endpoint=True))
        taper = self.draw(rng.uniform, self.taper, 0.0)
        stamps = [line_kernel(length, angle, width, 'max', taper) for length in lengths]
        margin = max(stamp.shape[0] for stamp in stamps)  # streaks may enter from outside
        h, w = shape[0] + 2 * margin, shape[1] + 2 * margin
        density = np.exp(rng.uniform(*np.log(self.density)))
        starts = rng.random((h, w)) < density
        drops = (starts * rng.uniform(*self.drop_brightness, (h, w))).astype(np.float32)
        parts = [drops]
        if len(stamps) > 1:  # each drop streaks with one of the lengths
            group = rng.integers(len(stamps), size=(h, w))
            parts = [drops * (group == index) for index in range(len(stamps))]
        per_length = [cv2.filter2D(part, -1, stamp, borderType=cv2.BORDER_CONSTANT)
                      for part, stamp in zip(parts, stamps)]
        blurred_alike = per_length if self.soften_each_length else [sum(per_length)]
        streaks = sum(self.soften(alike, rng.uniform(*self.softness)) for alike in blurred_alike)
        layer = np.clip(streaks[margin:-margin, margin:-margin], 0, 1)
        return layer * rng.uniform(*self.intensity)

    @staticmethod
    def soften(streaks, sigma):
        """Gaussian blur of ``sigma`` pixels; none below 0.05."""
        return cv2.GaussianBlur(streaks, (0, 0), sigma) if sigma > 0.05 else streaks

    @staticmethod
    def draw(sample, bounds, default):
        """``sample(min, max)``, or ``default`` without drawing where the range is ``(default,
        default)``, so the defaults render exactly as before these options existed."""
        if bounds == (default, default):
            return default
        return sample(*bounds, endpoint=True) if isinstance(default, int) else sample(*bounds)

    def rain(self, shape, rng):
        """The whole rain layer: a few streak layers screen-blended together."""
        main_angle = rng.uniform(*self.angle)
        rain = np.zeros(shape, np.float32)
        for _ in range(int(rng.integers(*self.layers, endpoint=True))):
            angle = main_angle + rng.uniform(-self.angle_spread, self.angle_spread)
            rain = 1 - (1 - rain) * (1 - self.streak_layer(shape, rng, angle))
        return rain[..., None]

    def degrade(self, clean, rng):
        image = clean
        if rng.random() < self.haze_prob:
            veil = rng.uniform(*self.haze)
            image = image * (1 - veil) + rng.uniform(*self.airlight) * veil
        rain = self.rain(clean.shape[:2], rng)
        if self.blend_modes[int(rng.integers(len(self.blend_modes)))] == 'add':
            return image + rain
        return 1 - (1 - image) * (1 - rain)
