"""No-reference estimate of motion-blur extent: the cepstrum of image patches.

A straight motion blur of length L multiplies the spectrum by a sinc whose zeros repeat every
1/L, so the log spectrum's Fourier transform (the cepstrum) has a negative peak at distance L
in the direction of motion (Cannon, IEEE TASSP 1976). Estimating it patch by patch over a frame
shows both how long the blur is and how it varies across the frame.
"""
import numpy as np


def patch_blur(gray, min_length=4, max_length=None):
    """``(length, angle_degrees, strength)`` of the motion blur of one square gray patch.

    ``strength`` is the depth of the cepstral peak relative to the cepstrum's spread: a weak
    one (below about 3) means the patch shows no clear straight blur.
    """
    size = gray.shape[0]
    max_length = max_length or size // 3
    window = np.outer(np.hanning(size), np.hanning(size))
    spectrum = np.abs(np.fft.fft2((gray - gray.mean()) * window))
    cepstrum = np.fft.fftshift(np.real(np.fft.ifft2(np.log(spectrum + 1e-3))))
    ys, xs = np.mgrid[:size, :size] - size // 2
    radius = np.hypot(ys, xs)
    ring = (radius >= min_length) & (radius <= max_length)
    values = np.where(ring, cepstrum, np.inf)
    y, x = np.unravel_index(np.argmin(values), values.shape)
    strength = -(cepstrum[y, x] - cepstrum[ring].mean()) / (cepstrum[ring].std() + 1e-12)
    dy, dx = y - size // 2, x - size // 2
    return float(np.hypot(dy, dx)), float(np.degrees(np.arctan2(dy, dx)) % 180), float(strength)


def frame_blur(image, patch=128, stride=None, min_strength=3.0, min_texture=4.0):
    """Blur estimates over a grid of patches of an H x W [x C] uint8 image: a list of dicts
    with the patch centre, ``length``, ``angle`` and ``strength``; flat and weak patches are
    left out."""
    gray = image.astype(np.float64).mean(axis=2) if image.ndim == 3 else image.astype(float)
    stride = stride or patch
    found = []
    for top in range(0, gray.shape[0] - patch + 1, stride):
        for left in range(0, gray.shape[1] - patch + 1, stride):
            tile = gray[top:top + patch, left:left + patch]
            if tile.std() < min_texture:
                continue
            length, angle, strength = patch_blur(tile)
            if strength >= min_strength:
                found.append(dict(y=top + patch // 2, x=left + patch // 2, length=length,
                                  angle=angle, strength=strength))
    return found
