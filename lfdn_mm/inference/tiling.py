"""Test-time tiling and self-ensembles around any image-to-image network.

Tiles are cut from the image padded to the network's stride, at offsets that are multiples
of that stride, so every tile sees the stride grid the whole image would; overlapping tile
outputs are blended with raised-cosine ramps and normalised by the summed weights.
"""
import math
from functools import partial

import torch

from .tile_invariance import round_up, supports_tile_invariance, tile_invariant_forward

DEFAULT_TILE_OVERLAP = 32
#: self-ensemble -> the :func:`dihedral_transform` indices it averages: ``'x8'`` all flips and
#: transposes, ``'flips'`` the four flips, which keep the orientation of rain streaks
ENSEMBLES = {'x8': tuple(range(8)), 'flips': (0, 1, 2, 3)}


def dihedral_transform(x, index):
    """Apply the ``index``-th (0-7) flip/transpose of the last two axes of ``x``."""
    if index & 1:
        x = x.flip(-1)
    if index & 2:
        x = x.flip(-2)
    if index & 4:
        x = x.transpose(-2, -1)
    return x


def inverse_dihedral_transform(x, index):
    """Undo :func:`dihedral_transform` with the same ``index``."""
    if index & 4:
        x = x.transpose(-2, -1)
    if index & 2:
        x = x.flip(-2)
    if index & 1:
        x = x.flip(-1)
    return x


def ensemble_name(ensemble):
    """``False`` (None, False), ``'x8'`` (True, ``'x8'``) or ``'flips'``; else a ValueError."""
    if ensemble is None or ensemble is False:
        return False
    name = 'x8' if ensemble is True else ensemble
    if name not in ENSEMBLES:
        raise ValueError(f"ensemble must be True, False, 'x8' or 'flips', got {ensemble!r}")
    return name


def self_ensemble(forward, x, ensemble='x8'):
    """Average ``forward`` over the transforms of ``x`` that ``ensemble`` names (:data:`ENSEMBLES`:
    the eight flips and transposes by default)."""
    transforms = ENSEMBLES[ensemble_name(ensemble)]
    total = None
    for index in transforms:
        out = inverse_dihedral_transform(forward(dihedral_transform(x, index)), index)
        total = out if total is None else total + out
    return total / len(transforms)



def tile_starts(length, tile, step):
    """Offsets of the tiles along one axis; the last tile ends exactly at ``length``."""
    if length <= tile:
        return [0]
    return list(range(0, length - tile, step)) + [length - tile]


def blend_ramp(length, overlap, fade_in, fade_out, device=None):
    """1-D tile weights: raised-cosine ramps over ``overlap`` pixels on the faded sides.

    Two tiles that share exactly ``overlap`` pixels get weights summing to one there.
    """
    weights = torch.ones(length, device=device)
    if overlap == 0:
        return weights
    positions = torch.arange(length, device=device, dtype=torch.float32)

    def ramp(distance_from_edge):
        phase = (distance_from_edge.clamp(max=overlap - 0.5) + 0.5) / overlap
        return 0.5 - 0.5 * torch.cos(math.pi * phase)

    if fade_in:
        weights = torch.minimum(weights, ramp(positions))
    if fade_out:
        weights = torch.minimum(weights, ramp(length - 1 - positions))
    return weights


TILE_MODES = ('exact', 'blended')


def check_tile_settings(tile_size, tile_overlap, tile_mode='exact'):
    """Raise ``ValueError`` unless ``0 <= tile_overlap < tile_size``, ``tile_size > 0`` and
    ``tile_mode`` is one of ``TILE_MODES``."""
    if tile_mode not in TILE_MODES:
        raise ValueError(f'tile_mode must be one of {TILE_MODES}, got {tile_mode!r}')
    if not isinstance(tile_size, int) or tile_size <= 0:
        raise ValueError(f'tile_size must be a positive integer, got {tile_size!r}')
    if not isinstance(tile_overlap, int) or not 0 <= tile_overlap < tile_size:
        raise ValueError(f'tile_overlap must be an integer in [0, tile_size={tile_size}), '
                         f'got {tile_overlap!r}')


def tiled_forward(forward, x, tile_size, tile_overlap=DEFAULT_TILE_OVERLAP, stride=1, pad=None):
    """Run ``forward`` on overlapping tiles of ``x`` (B, C, H, W) and blend the outputs.

    Args:
        forward (callable): The network; maps (B, C, h, w) to (B, C', h, w).
        x (Tensor): The images.
        tile_size (int): Tile side; rounded up to a multiple of ``stride``.
        tile_overlap (int): Pixels shared by neighbouring tiles; rounded up to a multiple of
            ``stride``.
        stride (int): The network's padding multiple (``LFDN.stride``).
        pad (callable, optional): Pads the image to a multiple of ``stride`` the way the
            network does itself (``LFDN.pad``), before tiling; without it, tiles that end at
            the border are padded by the network on their own.

    Returns:
        Tensor: The blended output, cropped to the size of ``x``.
    """
    check_tile_settings(tile_size, tile_overlap)
    tile, overlap = round_up(tile_size, stride), round_up(tile_overlap, stride)
    if overlap >= tile:
        raise ValueError(f'tile_overlap {tile_overlap} rounded to the stride {stride} '
                         f'({overlap}) leaves no step for tile_size {tile_size}')
    height, width = x.shape[-2:]
    padded = pad(x) if pad is not None else x
    padded_height, padded_width = padded.shape[-2:]
    tile_h, tile_w = min(tile, padded_height), min(tile, padded_width)
    output = weight_sum = None
    for top in tile_starts(padded_height, tile_h, tile - overlap):
        weight_h = blend_ramp(tile_h, overlap, top > 0, top + tile_h < padded_height, x.device)
        for left in tile_starts(padded_width, tile_w, tile - overlap):
            weight_w = blend_ramp(tile_w, overlap, left > 0, left + tile_w < padded_width,
                                  x.device)
            window = (Ellipsis, slice(top, top + tile_h), slice(left, left + tile_w))
            out = forward(padded[window])
            if output is None:
                output = out.new_zeros(*out.shape[:2], padded_height, padded_width)
                weight_sum = out.new_zeros(padded_height, padded_width)
            weights = weight_h[:, None] * weight_w[None, :]
            output[window] += out * weights
            weight_sum[window] += weights
    return (output / weight_sum)[..., :height, :width]


def restore_tensor(network, x, tile_size=None, tile_overlap=DEFAULT_TILE_OVERLAP, ensemble=False,
                   stride=None, pad=None, tile_mode='exact'):
    """Run ``network`` on ``x`` with optional tiling and self-ensemble.

    With ``tile_size=None`` and ``ensemble=False`` this is exactly ``network(x)``. A network
    with a local encoder, a global middle and a local decoder (LFDN) is tiled so that the
    result equals the whole-image one (:mod:`.tile_invariance`); any other network is
    restored in blended tiles (:func:`tiled_forward`). With the ensemble, each transform
    of the image is tiled on its own.

    Args:
        network (nn.Module | callable): The generator.
        x (Tensor): Normalised images (B, C, H, W).
        tile_size (int, optional): Tile side; None runs on the whole image.
        tile_overlap (int): Overlap of neighbouring blended tiles; for a tile-invariant
            network, the least halo (its receptive fields set the halos used).
        ensemble (bool | str): ``True`` or ``'x8'``: average the eight flips and transposes;
            ``'flips'``: the four flips only (4x cost; rain streaks keep their direction).
        stride (int, optional): Padding multiple of the network; default
            ``network.stride`` if it has one, else 1.
        pad (callable, optional): The network's own padding; default ``network.pad`` if it
            has one (as :class:`LFDN` does).
        tile_mode (str): ``'exact'``: tile-invariant where the network allows it, else
            blended; ``'blended'``: always blended tiles.
    """
    if tile_size is not None:
        check_tile_settings(tile_size, tile_overlap, tile_mode)
    if tile_size is None:
        forward = network
    elif tile_mode == 'exact' and supports_tile_invariance(network):
        forward = partial(tile_invariant_forward, network, tile_size=tile_size,
                          tile_overlap=tile_overlap)
    else:
        stride = stride or getattr(network, 'stride', 1)
        pad = pad or getattr(network, 'pad', None)
        forward = partial(tiled_forward, network, tile_size=tile_size,
                          tile_overlap=tile_overlap, stride=stride, pad=pad)
    ensemble = ensemble_name(ensemble)
    return self_ensemble(forward, x, ensemble) if ensemble else forward(x)
