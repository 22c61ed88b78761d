"""Measure how far LFDN looks: the gradient of one output pixel with respect to the input.

    python tools/analysis_tools/receptive_field.py [--model deblur] [--size 384]

Prints, for the centre output pixel, the radius (pixels) that holds 50/90/99% of the absolute
input gradient, and the largest radius where it still exceeds 1e-3 of its peak. A motion blur
of length L needs a radius of about L to be undone, so a deblurring network whose 99% radius is
below the blur it meets cannot restore it. Channel attention (CCA, ACFM) reads global
statistics, so the gradient never falls to exactly zero; the radii are of its bulk.
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


def radii(gradient, fractions=(0.5, 0.9, 0.99), floor=1e-3):
    """Radius holding each fraction of the gradient, and the last radius above ``floor``."""
    size = gradient.shape[0]
    ys, xs = np.mgrid[:size, :size] - size // 2
    distance = np.maximum(np.abs(ys), np.abs(xs)).ravel()
    order = np.argsort(distance)
    cumulative = np.cumsum(gradient.ravel()[order]) / gradient.sum()
    held = {f: int(distance[order][np.searchsorted(cumulative, f)]) for f in fractions}
    above = distance[gradient.ravel() > floor * gradient.max()]
    return held, int(above.max())


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
    gradient = centre_gradient(network.eval(), args.size)
    held, reach = radii(gradient)
    name = args.model or 'untrained paper LFDN'
    print(f'{name}, {args.size}x{args.size} input, centre output pixel:')
    for fraction, radius in held.items():
        print(f'  {fraction:.0%} of the input gradient within {radius} px')
    print(f'  gradient above 1e-3 of its peak out to {reach} px')
    return held, reach


if __name__ == '__main__':
    main()
