"""Measure how far LFDN looks: the gradient of one output pixel with respect to the input.

    python tools/analysis_tools/receptive_field.py [--model deblur] [--size 384]

Instance norms and channel attention (CCA, ACFM) read statistics of the whole image, so the
gradient of the centre output pixel never falls to zero: far away it settles on a flat floor.
The local receptive field is what stands above that floor. Prints the mean absolute gradient
per ring (Chebyshev distance from the centre) relative to the floor (the median ring beyond
3/4 of the half-size), and the local radius: the first ring below twice the floor. A motion
blur of length L spreads each point over L pixels; restoring it needs the window to hold the
whole streak on either side of the pixel.
"""
import argparse

import numpy as np
import torch

from lfdn_mm.apis import init_restorer
from lfdn_mm.models import build_lfdn_preset


def centre_gradient(network, size):
    """|d output[centre] / d input|, summed over channels: a ``size x size`` array."""
    image = torch.full((1, 3, size, size), 0.5, requires_grad=True)
    with torch.no_grad():
        image.add_(torch.rand_like(image) * 0.2 - 0.1)
    output = network(image)
    output[0, :, size // 2, size // 2].sum().backward()
    return image.grad[0].abs().sum(0).numpy()


def ring_profile(gradient):
    """Mean gradient per ring of Chebyshev radius 0 .. size / 2 - 1, and the far-field floor."""
    size = gradient.shape[0]
    ys, xs = np.mgrid[:size, :size] - size // 2
    distance = np.maximum(np.abs(ys), np.abs(xs))
    profile = np.array([gradient[distance == r].mean() for r in range(size // 2)])
    return profile, float(np.median(profile[int(len(profile) * 0.75):]))


def local_radius(profile, floor, factor=2.0):
    """The first radius whose ring mean falls below ``factor`` times the floor."""
    below = np.nonzero(profile < factor * floor)[0]
    return int(below[0]) if len(below) else len(profile)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default=None,
                        help='a shipped model (e.g. deblur); default: the untrained paper net')
    parser.add_argument('--size', type=int, default=384)
    args = parser.parse_args(argv)
    if args.model:
        network = init_restorer(model=args.model, device='cpu').generator
    else:
        network = build_lfdn_preset('paper')
    profile, floor = ring_profile(centre_gradient(network.eval(), args.size))
    radius = local_radius(profile, floor)
    name = args.model or 'untrained paper LFDN'
    rings = [r for r in (0, 4, 8, 16, 24, 32, 40, 48, 64, 96) if r < len(profile)]
    print(f'{name}, {args.size}x{args.size} input, centre output pixel')
    print('| radius (px) | ' + ' | '.join(map(str, rings)) + ' |')
    print('|---' * (len(rings) + 1) + '|')
    print('| gradient / floor | ' + ' | '.join(f'{profile[r] / floor:.1f}' for r in rings) + ' |')
    print(f'local radius (ring mean < 2x floor): {radius} px, a window of {2 * radius + 1} px')
    return radius


if __name__ == '__main__':
    main()
