"""Fast forms of the LFDN modules, and :func:`convert_for_inference` that switches to them.

The paper modules of :mod:`lfdn_mm.models` (ACFM, ALFM, the norms built by ``build_norm``,
the CCA layer) are the readable reference. This module holds the forms that compute the same
functions faster, in the spirit of NAFNet's ``Local_Base``, plus the test-time local
statistics (TLC, :mod:`.local_statistics`) that need their own forward:

- :class:`FoldedACFM`: ACFM's Conv3d pair as depthwise 2-D convolutions. On the CPU the
  one-input-channel Conv3d has no fast kernel; the folded form keeps channels_last maps
  channels_last (docs/benchmarks.md has the measurements).
- :class:`FastInstanceNorm2d`: ``group_norm`` with one group per channel instead of
  ``instance_norm`` (a (1, B*C, H, W) batch norm, much slower on the CPU), and the optional
  sliding ``window`` statistics.
- :class:`ContiguousBatchNorm2d`, :class:`ContiguousGroupNorm`: channels_last maps
  normalised through a contiguous copy (:func:`normalise_contiguous`).
- :class:`WindowedCCALayer`: the CCA layer with the optional sliding ``window``.
- :class:`LayoutKeepingALFM`: ALFM whose ``theta A F + F`` is computed transposed for
  channels_last maps, so the result comes out channels_last with no copy.
- :class:`LeanLFDN`: LFDN whose middle runs, when no gradient is taken, as
  :func:`.tile_invariance.lean_fuse` (no FDNB concatenation, no ALFM stack): fewer and
  smaller temporaries, the same function.

Every form is registered in :data:`.registry.FAST_FORMS`, keyed by its plain class, the one
table :func:`convert_for_inference` reads. Each form is a subclass of the module it stands for
that adds no parameter or buffer and only overrides the forward computation, so
:func:`convert_for_inference` switches the class of each module in place: its Parameter
objects, buffers, hooks and state_dict keys stay as they are, so checkpoints load either way
and an optimizer that already holds the parameters keeps training them. Without a window
every form is differentiable and matches the plain module in training (batch statistics
included), so the training hooks use them too (:class:`lfdn_mm.engine.FastFormsHook`).
:func:`plain_forms` switches back temporarily, for the ONNX export.
"""
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from ..models import ACFM, ALFM, LFDN
from ..models.blocks import CCALayer
from .local_statistics import check_window, local_mean_std
from .memory_format import to_channels_last
from .registry import fast_form_of, plain_forms_by_form, register_fast_form
from .tile_invariance import lean_fuse


class FoldedACFM(ACFM):
    """:class:`.ACFM` with the Conv3d pair of Eq. 11 computed by 2-D convolutions.

    The two convolutions are linear with nothing between them, so together they are one
    3x3x3 kernel over ``(C, H, W)``. :meth:`logits` computes exactly that: one depthwise 3x3
    conv per channel offset ``d`` in {-1, 0, +1}, the kernels and biases folded from
    ``spatial`` and ``channel`` on every call (so both keep training), summed with the maps
    shifted by ``d`` channels. Zero padding at the first and last channel and the spatial
    bias at those borders come out as in the Conv3d pair; channels_last maps stay
    channels_last.
    """

    def folded_kernels(self):
        """The 3x3 kernel and bias applied to channel ``c + d - 1`` for output channel ``c``.

        Returns:
            tuple[Tensor, Tensor]: Kernels of shape (3, 3, 3) indexed by ``d``, and their
            biases of shape (3,).
        """
        mix = self.channel.weight[0, :, :, 0, 0]  # (hidden, 3): hidden map j, offset d
        kernels = torch.einsum('jd,jhw->dhw', mix, self.spatial.weight[:, 0, 0])
        return kernels, mix.t() @ self.spatial.bias

    def logits(self, x):
        channels = x.shape[1]
        kernels, biases = self.folded_kernels()
        previous, same, following = (
            F.conv2d(x, kernel.expand(channels, 1, 3, 3), bias.expand(channels), padding=1,
                     groups=channels)
            for kernel, bias in zip(kernels, biases))
        from_previous = F.pad(previous[:, :-1], (0, 0, 0, 0, 1, 0))
        from_following = F.pad(following[:, 1:], (0, 0, 0, 0, 0, 1))
        return same + from_previous + from_following + self.channel.bias


def normalise_contiguous(norm, x):
    """Run ``norm(x)`` on a contiguous copy of ``x`` and return the result in ``x``'s format.

    The channels_last CPU kernels of ``group_norm`` and ``batch_norm`` lose precision when
    the mean is large against the spread, as a one-pass variance ``E[x^2] - E[x]^2`` does
    (torch 2.13, a (2, 25, 90, 160) map of mean 100 and unit spread: max errors of 2e-2 for
    ``group_norm`` and 3e-4 for ``batch_norm``, against 1e-5 for the contiguous kernels).
    Two layout copies cost far less than a wrong statistic.
    """
    if x.dim() != 4 or not x.is_contiguous(memory_format=torch.channels_last):
        return norm(x)
    return norm(x.contiguous()).contiguous(memory_format=torch.channels_last)


class FastInstanceNorm2d(nn.InstanceNorm2d):
    """``nn.InstanceNorm2d`` computed as a group norm with one channel per group.

    Same result to float rounding. channels_last inputs are normalised through
    :func:`normalise_contiguous`; with ``track_running_stats=True`` the stock implementation
    is used. With ``window`` set (test time, see :mod:`.local_statistics`) each position is
    normalised with the statistics of the window around it.
    """

    window = None

    def forward(self, x):
        if self.window is not None and x.dim() == 4:
            mean, std = local_mean_std(x, self.window, self.eps)
            out = (x - mean) / std
            if self.affine:
                out = out * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
            return out
        if self.track_running_stats or x.dim() != 4:
            return super().forward(x)
        return normalise_contiguous(
            lambda v: F.group_norm(v, self.num_features, self.weight, self.bias, self.eps), x)


class ContiguousBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` that normalises channels_last inputs through a contiguous copy."""

    def forward(self, x):
        return normalise_contiguous(super().forward, x)


class ContiguousGroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` that normalises channels_last inputs through a contiguous copy."""

    def forward(self, x):
        return normalise_contiguous(super().forward, x)


class WindowedCCALayer(CCALayer):
    """:class:`.CCALayer` whose statistic, with ``window`` set (test time, see
    :mod:`.local_statistics`), is taken over a sliding window around each position."""

    window = None

    def statistic(self, x):
        if self.window is None:
            return super().statistic(x)
        mean, std = local_mean_std(x, self.window)
        return std + mean


class LayoutKeepingALFM(ALFM):
    """:class:`.ALFM` whose ``theta A F + F`` (one fused ``baddbmm``) is computed transposed
    when the maps are channels_last: ``F`` is then a view with unit stride along ``NC``, and
    the result comes out channels_last with no copy. Contiguous maps take the plain path."""

    def forward(self, block_outputs):
        if block_outputs[0].stride(1) != 1 or block_outputs[0].shape[1] == 1:
            return super().forward(block_outputs)
        stacked = torch.cat(block_outputs, dim=1)
        features = stacked.flatten(2)
        with torch.autocast(stacked.device.type, enabled=False):
            scaled = (self.theta.float() * self.attention(features.float())).to(features.dtype)
            rows = features.mT
            fused = torch.baddbmm(rows, rows, scaled.mT).mT
        return self.reduce(fused.unflatten(2, stacked.shape[-2:]))


class LeanLFDN(LFDN):
    """:class:`.LFDN` whose :meth:`fuse` is :func:`.tile_invariance.lean_fuse` when no
    gradient is taken and the network has ALFM; otherwise (training) the paper's ``fuse``."""

    def fuse(self, feat):
        if torch.is_grad_enabled() or not isinstance(self.alfm, ALFM):
            return super().fuse(feat)
        return lean_fuse(self, feat)


for _plain, _form in ((ACFM, FoldedACFM), (ALFM, LayoutKeepingALFM), (CCALayer, WindowedCCALayer),
                     (nn.InstanceNorm2d, FastInstanceNorm2d),
                     (nn.BatchNorm2d, ContiguousBatchNorm2d),
                     (nn.GroupNorm, ContiguousGroupNorm), (LFDN, LeanLFDN)):
    register_fast_form(_plain, _form)
#: The forms with test-time local statistics.
WINDOWED_FORMS = (FastInstanceNorm2d, WindowedCCALayer)


def convert_for_inference(model, channels_last=True, fold_acfm=True, window=None):
    """Switch the modules of ``model`` to their fast forms, in place; the function is kept.

    Every instance, batch and group norm and every CCA layer gets its fast form, ACFM its
    folded form (unless ``fold_acfm`` is False), LFDN its lean middle (:class:`LeanLFDN`),
    and the 2-D convolution weights are stored channels_last (unless ``channels_last`` is
    False; :func:`.to_channels_last`). Parameters and state_dict keys do not change, and
    converting twice changes nothing more. Without a ``window`` the result also trains like
    the plain model.

    Args:
        model (nn.Module): An LFDN, an editor holding one, or any model (only the module
            classes registered in :data:`.registry.FAST_FORMS` are changed).
        channels_last (bool): Store the 2-D convolution weights in channels_last; the
            activations follow them.
        fold_acfm (bool): Compute ACFM with 2-D convolutions (:class:`FoldedACFM`); False
            leaves ACFM modules as they are.
        window (int, optional): Test-time local statistics: the sliding window (odd, in
            1/4-scale pixels, see :func:`.local_statistics.tlc_window`) of every instance
            norm and CCA layer; None: whole-map statistics (also clears earlier windows).

    Returns:
        nn.Module: ``model``.

    Raises:
        UnregisteredFormError: A module subclasses a registered class without an entry of its
            own (see :mod:`.registry`).
    """
    check_window(window)
    for module in model.modules():
        form = fast_form_of(type(module)).form
        if form is not None and (fold_acfm or form is not FoldedACFM):
            module.__class__ = form
    use_local_statistics(model, window)
    if channels_last:
        to_channels_last(model)
    return model


def use_local_statistics(model, window):
    """Give every instance norm and CCA layer of ``model`` a sliding local-statistics
    ``window`` (1/4-scale pixels, odd; TLC), or back the global statistics with
    ``window=None``; in place. Plain layers are switched to their windowed forms first (same
    parameters, same function without a window).

    Returns:
        nn.Module: ``model``.
    """
    check_window(window)
    for module in model.modules():
        if window is not None and type(module) in (nn.InstanceNorm2d, CCALayer):
            module.__class__ = fast_form_of(type(module)).form
        if isinstance(module, WINDOWED_FORMS):
            module.window = window
    return model


@contextmanager
def plain_forms(model):
    """Within the ``with`` block, every fast form in ``model`` is its plain module again.

    Used for the ONNX export, which traces the reference modules.

    Raises:
        ValueError: A module has a local-statistics window, which has no plain form.
    """
    plain_of = plain_forms_by_form()
    converted = [module for module in model.modules() if type(module) in plain_of]
    windowed = [module for module in converted if getattr(module, 'window', None) is not None]
    if windowed:
        raise ValueError(f'{len(windowed)} modules use test-time local statistics, which '
                         'have no plain form; clear them with use_local_statistics(model, None)')
    forms = [type(module) for module in converted]
    for module, form in zip(converted, forms):
        module.__class__ = plain_of[form]
    try:
        yield model
    finally:
        for module, form in zip(converted, forms):
            module.__class__ = form
