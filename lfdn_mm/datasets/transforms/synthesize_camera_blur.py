"""``SynthesizeCameraBlur``: motion blur formed as a camera forms it, by averaging sub-frames.

The frame-averaged deblurring sets are made this way: GoPro (Nah et al., CVPR 2017) averages
7-13 consecutive frames shot at 240 fps through an inverse camera response, REDS (Nah et al.,
CVPRW 2019) interpolates 120 fps video to 1920 fps and averages in linear light, and
RealBlur (Rim et al., ECCV 2020) records the blur of a real long exposure. So the blur follows
a continuous path through the exposure, varies across the frame (rotation, zoom, perspective,
objects that move on their own and occlude what is behind them), turns clipped highlights into
bright streaks and carries the camera's noise and compression. This transform renders each of
those: N sub-frames warped by a smooth camera path (homographies) with optional moving
foreground layers, averaged in linear light with highlights allowed above 1, clipped, back
through the response, then noise and JPEG. The sharp target is the middle sub-frame.
"""
import cv2
import numpy as np
from mmagic.registry import TRANSFORMS

from .degradation import Degradation, check_probability, check_range


@TRANSFORMS.register_module()
class SynthesizeCameraBlur(Degradation):
    """Write ``img`` = the average of ``gt`` seen along a fresh camera path, and ``gt`` = the
    middle sub-frame of that exposure (``gt`` changes only where a moving layer is pasted and
    where boosted highlights clip).

    Every call draws each quantity uniformly from its ``(min, max)`` range, path lengths
    log-uniformly (blur lengths in real frames spread over a decade: most are short, a few
    long). Motion is in pixels of the image the transform sees (a training crop), as the
    network sees it: the default paths reach 80 px, about 1/16 of a 1280 px wide GoPro or
    REDS frame. Rotation, zoom
    and perspective turn about a centre drawn anywhere in a frame twice the image's size around
    it, as if the image were a crop of a larger frame, so their blur grows across the image.
    The path spans the whole exposure, centred on the middle sub-frame.

    Args:
        still_prob (float): Probability of a still exposure: no camera or object motion, so
            ``img`` is ``gt`` with the camera's noise and compression only. Such pairs teach a
            network to leave sharp images as they are.
        num_frames (tuple[int]): Sub-frames averaged per exposure (GoPro: 7-13), at least.
        max_step (tuple[float]): Largest motion of any pixel between two sub-frames: more
            sub-frames are added until it holds, so that long paths blur smoothly instead of
            leaving separate ghosts (REDS interpolates frames for the same reason); the upper
            end keeps some of GoPro's visible steps.
        translation (tuple[float]): Length of the camera path, pixels (log-uniform).
        curvature (tuple[float]): Sideways bow of the path relative to its length.
        speed_change (tuple[float]): Acceleration through the exposure: the speed at one end
            is ``1 + s`` times that at the middle and ``1 - s`` at the other (``s`` <= 1).
        jitter (tuple[float]): Hand-shake wobble on top of the path, pixels.
        rotation (tuple[float]): In-plane rotation over the exposure, degrees.
        zoom (tuple[float]): Relative change of scale over the exposure.
        perspective (tuple[float]): Change of scale across the image over the exposure (a
            small turn of the camera about a vertical or horizontal axis).
        object_prob (float): Probability that foreground layers move on their own.
        max_objects (int): Most moving layers per image.
        object_size (tuple[float]): Layer radius, fraction of the shorter image side.
        object_translation (tuple[float]): A layer's own path length, pixels (log-uniform).
        gamma (tuple[float]): Camera response ``srgb = linear ** (1 / gamma)``.
        highlight_threshold (float): sRGB level above which pixels count as clipped
            highlights whose true radiance may exceed 1.
        highlight_gain (tuple[float]): Factor that such highlights reach in linear light
            before averaging (1 = no highlight boost).
        shot_noise (tuple[float]): Signal-dependent noise variance per unit of linear signal.
        read_noise (tuple[float]): Signal-independent noise sigma, linear units.
        jpeg_prob (float): Probability of JPEG compression.
        jpeg_quality (tuple[int]): JPEG quality range.
        gt_key, img_key, seed: See :class:`Degradation`.
    """

    def __init__(self, still_prob=0.0, num_frames=(7, 13), max_step=(1.0, 4.0),
                 translation=(3.0, 80.0), curvature=(0.0, 0.3), speed_change=(0.0, 0.6),
                 jitter=(0.0, 2.0),
                 rotation=(0.0, 2.0), zoom=(0.0, 0.04), perspective=(0.0, 0.03),
                 object_prob=0.5, max_objects=2, object_size=(0.08, 0.3),
                 object_translation=(4.0, 80.0),
                 gamma=(2.0, 2.4), highlight_threshold=0.97, highlight_gain=(1.0, 4.0),
                 shot_noise=(0.0, 0.002), read_noise=(0.0, 0.004), jpeg_prob=0.3,
                 jpeg_quality=(60, 95), gt_key='gt', img_key='img', seed=None):
        super().__init__(gt_key, img_key, seed)
        name = type(self).__name__

        def span(arg, value, low=0.0, high=None, integer=False):
            return check_range(name, arg, value, low=low, high=high, integer=integer)

        self.still_prob = check_probability(name, 'still_prob', still_prob)
        self.num_frames = span('num_frames', num_frames, 2, 64, integer=True)
        self.max_step = span('max_step', max_step, 0.25, 64.0)
        self.translation = span('translation', translation, 0.1, 256.0)
        self.curvature = span('curvature', curvature, high=1.0)
        self.speed_change = span('speed_change', speed_change, high=1.0)
        self.jitter = span('jitter', jitter, high=16.0)
        self.rotation = span('rotation', rotation, high=15.0)
        self.zoom = span('zoom', zoom, high=0.25)
        self.perspective = span('perspective', perspective, high=0.25)
        self.object_prob = check_probability(name, 'object_prob', object_prob)
        if isinstance(max_objects, bool) or not isinstance(max_objects, int) or max_objects < 1:
            raise ValueError(f'{name}: max_objects must be an int >= 1, got {max_objects!r}')
        self.max_objects = max_objects
        self.object_size = span('object_size', object_size, 0.01, 1.0)
        self.object_translation = span('object_translation', object_translation, 0.1, 256.0)
        self.gamma = span('gamma', gamma, 1.0, 3.0)
        if isinstance(highlight_threshold, bool) or not isinstance(
                highlight_threshold, (int, float)) or not 0 < highlight_threshold < 1:
            raise ValueError(f'{name}: highlight_threshold must be a number in (0, 1), '
                             f'got {highlight_threshold!r}')
        self.highlight_threshold = float(highlight_threshold)
        self.highlight_gain = span('highlight_gain', highlight_gain, 1.0, 10.0)
        self.shot_noise = span('shot_noise', shot_noise, high=0.05)
        self.read_noise = span('read_noise', read_noise, high=0.05)
        self.jpeg_prob = check_probability(name, 'jpeg_prob', jpeg_prob)
        self.jpeg_quality = span('jpeg_quality', jpeg_quality, 10, 100, integer=True)

    def exposure_times(self, rng, travel):
        """Times of the sub-frames in [-1/2, 1/2], 0 being the middle of the exposure, spaced
        by a speed that changes smoothly from ``1 - s`` at one end to ``1 + s`` at the other;
        enough of them that no pixel moves more than the drawn ``max_step`` between two, given
        ``travel``, the longest path of a pixel (pixels) over the exposure."""
        count = int(rng.integers(*self.num_frames, endpoint=True))
        change = rng.uniform(*self.speed_change) * rng.choice((-1, 1))
        step = rng.uniform(*self.max_step)
        count = max(count, int(np.ceil(travel * (1 + abs(change)) / step)) + 1)
        times = np.linspace(-0.5, 0.5, count)
        return times + change * times**2

    def camera_path(self, rng, width, height):
        """A function of time giving the 3 x 3 homography of the camera at that time."""
        length = log_uniform(rng, self.translation)
        angle = rng.uniform(0, 2 * np.pi)
        along = np.array([np.cos(angle), np.sin(angle)])
        sideways = np.array([-along[1], along[0]])
        bow = rng.uniform(*self.curvature) * rng.choice((-1, 1))
        wobble_amp = rng.uniform(*self.jitter)
        freqs = rng.uniform(1, 3, (2, 2))
        phases = rng.uniform(0, 2 * np.pi, (2, 2))
        turn = np.deg2rad(rng.uniform(*self.rotation)) * rng.choice((-1, 1))
        zoom = rng.uniform(*self.zoom) * rng.choice((-1, 1))
        tilt = rng.uniform(*self.perspective) * rng.choice((-1, 1), 2) * rng.dirichlet((1, 1))
        centre = np.array([width, height]) * rng.uniform(-0.5, 1.5, 2)

        def wobble(t):
            waves = np.sin(2 * np.pi * freqs * t + phases) - np.sin(phases)
            return wobble_amp * waves.sum(axis=1) / 2

        def homography(t):
            shift = length * (along * t + sideways * bow * 4 * t * t) + wobble(t)
            cos, sin = np.cos(turn * t) * (1 + zoom * t), np.sin(turn * t) * (1 + zoom * t)
            linear = np.array([[cos, -sin, 0], [sin, cos, 0], [tilt[0] * t / width,
                                                               tilt[1] * t / height, 1]])
            to_centre = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
            back = np.array([[1, 0, centre[0] + shift[0]], [0, 1, centre[1] + shift[1]],
                             [0, 0, 1]])
            return back @ linear @ to_centre

        return homography

    def moving_layers(self, image, rng):
        """Foreground layers ``(texture, matte, velocity)``: a region cut from elsewhere in the
        photograph with a soft elliptic matte, and its own path (pixels over the exposure)."""
        if rng.random() >= self.object_prob:
            return []
        height, width = image.shape[:2]
        layers = []
        for _ in range(int(rng.integers(1, self.max_objects, endpoint=True))):
            radius = rng.uniform(*self.object_size) * min(height, width)
            centre = rng.uniform((0, 0), (width, height))
            source = rng.uniform((0, 0), (width, height))
            move = np.array([[1, 0, centre[0] - source[0]], [0, 1, centre[1] - source[1]]])
            texture = cv2.warpAffine(cv2.flip(image, int(rng.integers(-1, 2))), move,
                                     (width, height), borderMode=cv2.BORDER_REFLECT_101)
            matte = np.zeros((height, width), np.float32)
            axes = (max(int(radius * rng.uniform(0.4, 1.0)), 1), max(int(radius), 1))
            cv2.ellipse(matte, tuple(int(c) for c in centre), axes, rng.uniform(0, 180), 0,
                        360, 1.0, -1)
            matte = cv2.GaussianBlur(matte, (0, 0), max(radius / 8, 1))
            heading = rng.uniform(0, 2 * np.pi)
            velocity = log_uniform(rng, self.object_translation) * np.array(
                [np.cos(heading), np.sin(heading)])
            layers.append((texture.reshape(image.shape), matte, velocity))
        return layers

    def sub_frame(self, scene, layers, homography, t):
        height, width = scene.shape[:2]
        frame = warp(scene, homography(t), (width, height))
        for texture, matte, velocity in layers:
            shift = np.array([[1, 0, velocity[0] * t], [0, 1, velocity[1] * t], [0, 0, 1.0]])
            moved = warp(np.dstack([texture, matte]), shift, (width, height))
            alpha = moved[..., -1:]
            frame = frame * (1 - alpha) + moved[..., :-1] * alpha
        return frame

    def render_pair(self, clean, rng):
        """Return ``(sharp, blurred)``, float32 sRGB in [0, 1] (see the class docstring)."""
        gamma = rng.uniform(*self.gamma)
        scene = to_linear(clean, gamma, rng.uniform(*self.highlight_gain),
                          self.highlight_threshold)
        height, width = clean.shape[:2]
        if self.still_prob and rng.random() < self.still_prob:
            layers, homography = [], still_camera
        else:
            layers = self.moving_layers(scene, rng)
            homography = self.camera_path(rng, width, height)
        times = self.exposure_times(rng, longest_travel(homography, layers, width, height))
        exposure = sum(self.sub_frame(scene, layers, homography, t) for t in times) / len(times)
        sharp = self.sub_frame(scene, layers, homography, 0.0)
        blurred = np.clip(exposure, 0, 1)
        variance = rng.uniform(*self.shot_noise) * blurred + rng.uniform(*self.read_noise)**2
        blurred = blurred + rng.normal(size=blurred.shape).astype(np.float32) * np.sqrt(variance)
        blurred = to_srgb(blurred, gamma)
        if rng.random() < self.jpeg_prob:
            blurred = jpeg(blurred, int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1],
                                                     endpoint=True)))
        return to_srgb(sharp, gamma), blurred


def still_camera(t):
    return np.eye(3)


def longest_travel(homography, layers, width, height, samples=33):
    """Longest path (pixels) over the exposure of an image corner, the centre or a layer."""
    points = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1],
                       [width / 2, height / 2, 1]], float).T
    tracks = []
    for t in np.linspace(-0.5, 0.5, samples):
        moved = homography(t) @ points
        tracks.append(moved[:2] / moved[2])
    camera = np.linalg.norm(np.diff(tracks, axis=0), axis=1).sum(axis=0).max()
    return max([camera] + [np.linalg.norm(velocity) for _, _, velocity in layers])


def log_uniform(rng, bounds):
    return float(np.exp(rng.uniform(*np.log(bounds))))


def to_linear(srgb, gamma, highlight_gain, threshold):
    """Linear radiance of an sRGB image, with clipped highlights raised up to ``highlight_gain``
    (a ramp from ``threshold`` to 1 on the brightest channel)."""
    linear = srgb**gamma
    ramp = np.clip((srgb.max(axis=2, keepdims=True) - threshold) / (1 - threshold), 0, 1)
    return (linear * (1 + (highlight_gain - 1) * ramp)).astype(np.float32)


def to_srgb(linear, gamma):
    return (np.clip(linear, 0, 1)**(1 / gamma)).astype(np.float32)


def warp(image, homography, size):
    out = cv2.warpPerspective(image, homography, size, flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REFLECT_101)
    return out.reshape(image.shape[:2] + (-1,))


def jpeg(image, quality):
    """JPEG-compress a float [0, 1] gray or colour image at ``quality`` and decode it again;
    other channel counts, which JPEG cannot hold, pass unchanged."""
    if image.shape[2] not in (1, 3):
        return image
    as_uint8 = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    _, encoded = cv2.imencode('.jpg', as_uint8, [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return decoded.reshape(image.shape).astype(np.float32) / 255
