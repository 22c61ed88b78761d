"""Tiled inference that gives the whole-image result, for networks with a global middle.

LFDN's image-wide statistics (FDNB instance norm, CCA mean and std, ALFM's attention) all
live at 1/4 scale, between a local encoder and a local decoder (``LFDN.encode``, ``fuse``,
``decode``). Only the two local stages are tiled here, each tile cut with a halo of at least
the stage's receptive field and aligned to the stride, and only each tile's core is kept; the
middle runs once on the whole 1/4-scale map, 16x smaller than the image. The result is the
whole-image result up to float rounding, whatever the tile size.

The middle runs as :func:`lean_fuse`: the same function as ``LFDN.fuse`` with FDNB's fusion
applied without its concatenation, ALFM computed without its ``NC``-channel stack and ACFM in
row bands, so a 4K image's middle holds the block outputs and little more.
"""
import copy
import math
from fractions import Fraction

import torch
from torch import nn

from ..models import ALFM, FDNB
from .registry import fast_form_of, lean_forward_of


def round_up(value, multiple):
    """The smallest multiple of ``multiple`` that is >= ``value``."""
    return math.ceil(value / multiple) * multiple


def supports_tile_invariance(network):
    """Whether ``network`` exposes the local/global/local stages this module tiles."""
    return all(callable(getattr(network, name, None))
               for name in ('encode', 'fuse', 'decode', 'pad')) and hasattr(network, 'stride')


def positive_probe(network):
    """A float32 CPU copy of ``network`` with positive conv weights: every activation of a
    positive input stays positive, so a change of one input pixel reaches every output that
    depends on it (no ReLU hides it), whatever the real weights are."""
    probe = copy.deepcopy(network).float().cpu().eval()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in probe.modules():
            module._forward_hooks.clear()  # the copy must not run its user's hooks
            module._forward_pre_hooks.clear()
            if isinstance(module, nn.Conv2d):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.rand(module.weight.shape, generator=generator) / fan_in)
                if module.bias is not None:
                    module.bias.fill_(0.01)
    return probe


def span(index, ratio):
    """The first and last input pixel that output ``index`` covers (ratio = out / in size)."""
    first = math.floor(index / ratio)
    return first, max(first, math.ceil((index + 1) / ratio) - 1)


@torch.no_grad()
def influence_radius(stage, channels, ratio, size=128, max_size=4096):
    """Receptive-field radius of ``stage``, in its input pixels.

    The centre pixel of a positive random probe is raised; the outputs that change are those
    that depend on it. The probe grows until the change no longer reaches its border.

    Args:
        stage (callable): Maps (1, channels, s, s) to (1, C', s * ratio, s * ratio).
        channels (int): Input channels of the stage.
        ratio (Fraction): Output size over input size.
    """
    generator = torch.Generator().manual_seed(0)
    while size <= max_size:
        x = torch.rand(1, channels, size, size, generator=generator) + 0.5
        centre = size // 2
        changed_input = x.clone()
        changed_input[..., centre, centre] += 1
        changed = (stage(x) != stage(changed_input)).any(dim=1)[0]
        if not changed.any():
            return 0
        rows, cols = changed.nonzero(as_tuple=True)
        reach = [int(v) for v in (rows.min(), rows.max(), cols.min(), cols.max())]
        last = changed.shape[-1] - 1
        if min(reach) > 0 and max(reach) < last:
            low, high = min(reach[0], reach[2]), max(reach[1], reach[3])
            return max(centre - span(low, ratio)[1], span(high, ratio)[0] - centre, 0)
        size *= 2
    raise RuntimeError(f'the receptive field of {stage} exceeds {max_size} pixels')


def stage_halos(network):
    """Halos (encoder: input pixels, a multiple of the stride; decoder: 1/4-scale pixels) that
    cover the receptive fields of ``network.encode`` and ``network.decode``; cached."""
    cached = getattr(network, '_tile_invariant_halos', None)
    if cached is not None:
        return cached
    probe = positive_probe(network)
    in_channels = probe.head.in_channels
    mid_channels = probe.adapt.out_channels
    scale = Fraction(probe.encode(torch.zeros(1, in_channels, probe.stride, probe.stride))
                     .shape[-1], probe.stride)
    encoder_halo = influence_radius(probe.encode, in_channels, scale)
    decoder_halo = influence_radius(probe.decode, mid_channels, 1 / scale)
    halos = (round_up(encoder_halo, network.stride), decoder_halo, scale)
    network._tile_invariant_halos = halos
    return halos


def tiled_stage(stage, x, tile, halo):
    """Run a local ``stage`` on ``tile``-sided cores of ``x``, each cut with ``halo`` pixels of
    context on every side that has any, and paste the cores of the outputs together."""
    height, width = x.shape[-2:]
    output = ratio = None
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            bottom, right = min(top + tile, height), min(left + tile, width)
            y0, x0 = max(top - halo, 0), max(left - halo, 0)
            y1, x1 = min(bottom + halo, height), min(right + halo, width)
            out = stage(x[..., y0:y1, x0:x1])
            if output is None:
                ratio = Fraction(out.shape[-1], x1 - x0)
                output = out.new_empty(*out.shape[:2], int(height * ratio), int(width * ratio))
            core = out[..., int((top - y0) * ratio):int((bottom - y0) * ratio),
                       int((left - x0) * ratio):int((right - x0) * ratio)]
            output[..., int(top * ratio):int(bottom * ratio),
                   int(left * ratio):int(right * ratio)] = core
    return output


def blockwise_matmul(weights, maps):
    """``sum_k weights[:, :, kC:(k+1)C] @ maps[k]`` for maps of shape (B, C, HW), in the maps'
    memory order (channels_last maps give a channels_last result)."""
    channels = maps[0].shape[1]
    parts = weights.to(maps[0].dtype).split(channels, dim=2)
    if maps[0].stride(1) == 1 and channels > 1:  # channels_last: compute the transpose
        out = torch.bmm(maps[0].mT, parts[0].mT)
        for part, features in zip(parts[1:], maps[1:]):
            out.baddbmm_(features.mT, part.mT)
        return out.mT
    out = torch.bmm(parts[0], maps[0])
    for part, features in zip(parts[1:], maps[1:]):
        out.baddbmm_(part, features)
    return out


@lean_forward_of(ALFM)
def alfm_without_stack(alfm, block_outputs):
    """``alfm(block_outputs)`` without the ``NC x HW`` stack ``F`` or the fused ``F'``.

    ``F F^T`` is summed block pair by block pair, and since the 1x1 reduction ``W`` is linear,
    ``W (theta A F + F) + b = (theta W A + W) F + b`` is applied block by block: the largest
    new tensor is the ``C``-channel result.
    """
    height, width = block_outputs[0].shape[-2:]
    maps = [output.flatten(2) for output in block_outputs]
    with torch.autocast(maps[0].device.type, enabled=False):
        floats = [features.float() for features in maps]
        gram = torch.cat([torch.cat([torch.bmm(a, b.mT) for b in floats], dim=2)
                          for a in floats], dim=1)
        del floats
        attention = alfm.attention_from_gram(gram, height * width)
        reduce = alfm.reduce.weight.float().flatten(1)
        weights = alfm.theta.float() * (reduce @ attention) + reduce
        out = blockwise_matmul(weights, maps)
    out = out.unflatten(2, (height, width))
    return out.add_(alfm.reduce.bias.to(out.dtype).view(1, -1, 1, 1))


def accumulate_1x1(out, weight, features):
    """``out += conv1x1(features, weight)`` in place (``weight``: (C_out, C_in)), with no
    ``C_out``-channel temporary, in ``out``'s memory order."""
    batch, channels = features.shape[:2]
    weight = weight.to(out.dtype)
    features = features.to(out.dtype)
    if out.is_contiguous(memory_format=torch.channels_last) and channels > 1:
        rows = out.permute(0, 2, 3, 1).reshape(-1, out.shape[1])  # a view in channels_last
        rows.addmm_(features.permute(0, 2, 3, 1).reshape(-1, channels), weight.t())
    else:
        out.flatten(2).baddbmm_(weight.expand(batch, *weight.shape), features.flatten(2))
    return out


@lean_forward_of(FDNB)
def fdnb_without_concat(block, x):
    """``block(x)`` for an :class:`FDNB` without the concatenation of its distilled parts:
    the 1x1 fusion is linear, so each part is multiplied by its slice of the fusion weights
    and added to the result as soon as it is made, and freed."""
    weights = block.fuse.weight.flatten(1).split(block.last.out_channels, dim=1)
    fused, coarse = None, x
    for weight, distill, refine in zip(weights, block.distill, block.refine):
        part = distill(coarse)
        if fused is None:
            fused = nn.functional.conv2d(part, weight[..., None, None], block.fuse.bias)
        else:
            accumulate_1x1(fused, weight, part)
        del part
        coarse = block.act(refine(coarse).add_(coarse))
    accumulate_1x1(fused, weights[-1], block.act(block.last(coarse)))
    del coarse
    return block.cca(fused).add_(x)


@torch.no_grad()
def lean_fuse(network, feat, band=256):
    """``network.fuse(feat)`` for inference with less memory: ALFM by
    :func:`alfm_without_stack` and ACFM (local: 3x3 and one channel each way) in bands of
    ``band`` rows with a one-row halo; each block by its registered lean forward
    (:mod:`.registry`). Networks whose fusion has no lean forward run ``fuse`` itself."""
    fusion = fast_form_of(type(getattr(network, 'alfm', None))).lean_forward
    if fusion is None:
        return network.fuse(feat)
    outputs = []
    for block in network.blocks:
        lean_block = fast_form_of(type(block)).lean_forward
        feat = lean_block(block, feat) if lean_block is not None else block(feat)
        outputs.append(feat)
    del feat
    fused = fusion(network.alfm, outputs)
    if network.acfm is not None:
        last = outputs[-1]
        del outputs
        fused = fused.add_(tiled_stage(network.acfm, last, band, 1))
    return fused


def tile_invariant_forward(network, x, tile_size, tile_overlap=0):
    """``network(x)`` computed with the encoder and decoder in tiles of ``tile_size``.

    Args:
        network (LFDN): A network with ``encode``, ``fuse``, ``decode``, ``pad``, ``stride``.
        x (Tensor): Images (B, C, H, W).
        tile_size (int): Side of each tile's core, rounded up to the stride.
        tile_overlap (int): Least halo; the receptive fields set the halos actually used.
    """
    encoder_halo, decoder_halo, scale = stage_halos(network)
    tile = round_up(tile_size, network.stride)
    encoder_halo = max(encoder_halo, round_up(tile_overlap, network.stride))
    height, width = x.shape[-2:]
    # no name keeps the encoder features: the first block frees them
    fused = lean_fuse(network, tiled_stage(network.encode, network.pad(x), tile, encoder_halo))
    out = tiled_stage(network.decode, fused, int(tile * scale), decoder_halo)[..., :height, :width]
    return x + out if getattr(network, 'global_residual', False) else out
