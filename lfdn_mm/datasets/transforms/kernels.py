"""Blur kernels of the synthetic degradations: straight lines and camera-shake trajectories."""
import cv2
import numpy as np


def line_kernel(length, angle, width=1, normalise='sum', taper=0.0):
    """A straight line of ``length`` pixels at ``angle`` degrees (0 = vertical), ``width`` thick.

    ``normalise='sum'`` makes it a blur kernel (sums to 1); ``'max'`` makes it a streak stamp
    (peak 1). The line is anti-aliased, so sub-pixel angles stay smooth. ``taper`` in [0, 1]
    fades it parabolically towards both ends: 0 keeps it even, 1 fades the ends to zero.
    """
    length = max(int(round(length)), 1)
    size = length + 2 * width + 1
    kernel = np.zeros((size, size), np.float32)
    centre = (size - 1) / 2
    dx, dy = np.sin(np.deg2rad(angle)), np.cos(np.deg2rad(angle))
    shift = 4  # cv2 draws with 1/16-pixel precision
    half = (length - 1) / 2
    start = (round((centre - dx * half) * 16), round((centre - dy * half) * 16))
    end = (round((centre + dx * half) * 16), round((centre + dy * half) * 16))
    cv2.line(kernel, start, end, 1.0, thickness=int(width), lineType=cv2.LINE_AA, shift=shift)
    if taper > 0:
        rows, cols = np.mgrid[:size, :size] - centre
        along = (cols * dx + rows * dy) / max(half + 0.5, 0.5)
        kernel *= np.clip(1 - taper * along**2, 0, 1)
    return kernel / (kernel.sum() if normalise == 'sum' else kernel.max())


def shake_kernel(rng, extent, steps=64, inertia=0.7):
    """A camera-shake blur kernel: a random walk with inertia spanning about ``extent`` pixels,
    rasterised with sub-pixel (bilinear) weights; sums to 1."""
    velocity = rng.normal(size=2)
    position = np.zeros(2)
    points = []
    for _ in range(steps):
        velocity = inertia * velocity + (1 - inertia) * rng.normal(size=2) * 2
        position = position + velocity / (np.linalg.norm(velocity) + 1e-9) * 0.5
        points.append(position.copy())
    points = np.array(points) - np.mean(points, axis=0)
    span = max(np.abs(points).max(), 1e-6)
    points *= (extent / 2) / span
    size = int(np.ceil(extent)) + 3
    kernel = np.zeros((size, size), np.float32)
    for x, y in points + (size - 1) / 2:
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        kernel[y0, x0] += (1 - fx) * (1 - fy)
        kernel[y0, x0 + 1] += fx * (1 - fy)
        kernel[y0 + 1, x0] += (1 - fx) * fy
        kernel[y0 + 1, x0 + 1] += fx * fy
    return kernel / kernel.sum()
