"""Test-time local statistics (TLC; Chu et al., "Improving Image Restoration by Revisiting
Global Information Aggregation", ECCV 2022) for LFDN's instance norms and CCA layers.

A network trained on crops learns from statistics of crop-sized regions; on a whole frame its
instance norms and contrast channel attentions (Sec. 3.3.1) would average over the whole
frame instead. With a window set, each position is normalised (or weighted) with the mean and
standard deviation of the window around it, shrunk at the borders; a window at least twice
the map gives the global statistics back. ALFM keeps its global ``NC x NC`` attention: it
mixes channels, not positions (see ``alfm_logit_scale`` for its dependence on the area).

The window sums are box filters computed with cumulative sums in float64, so their cost does
not grow with the window; the variance is taken of the deviations from each channel's mean
over the whole map (a first pass), which keeps it accurate when the mean is large against the
spread.
"""
import torch
import torch.nn.functional as F


def box_mean(x, window):
    """Mean of ``x`` (B, C, H, W) over the ``window x window`` box around each position
    (odd side, cut at the borders), in float64."""
    radius = window // 2
    out = x.double()
    for dim in (2, 3):
        size = out.shape[dim]
        padded = F.pad(out, (radius, radius, 0, 0) if dim == 3 else (0, 0, radius, radius))
        sums = padded.cumsum(dim)
        sums = torch.cat((torch.zeros_like(sums.narrow(dim, 0, 1)), sums), dim)
        out = sums.narrow(dim, 2 * radius + 1, size) - sums.narrow(dim, 0, size)
        positions = torch.arange(size, device=x.device, dtype=torch.float64)
        counts = (positions + radius).clamp(max=size - 1) - (positions - radius).clamp(min=0) + 1
        out = out / counts.view(-1, 1) if dim == 2 else out / counts
    return out


def local_mean_std(x, window, eps=0.0):
    """Per-position mean and standard deviation of ``x`` over the window, as ``x.dtype``.

    The channel means over the whole map are subtracted first, so large offsets do not
    cancel out precision in ``E[d^2] - E[d]^2``.
    """
    x32 = x.float()
    shift = x32.mean(dim=(2, 3), keepdim=True)
    deviation = x32 - shift
    mean = box_mean(deviation, window)
    variance = (box_mean(deviation.square(), window) - mean.square()).clamp(min=0)
    return ((mean + shift).to(x.dtype), (variance + eps).sqrt().to(x.dtype))


def check_window(window):
    """Raise ``ValueError`` unless ``window`` is None or an odd integer >= 3."""
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or window < 3 or window % 2 == 0):
        raise ValueError(f'the local-statistics window must be an odd integer >= 3 or None, '
                         f'got {window!r}')
    return window


def tlc_window(train_crop, scale=4, factor=1.5):
    """TLC's window for a network trained on ``train_crop`` px crops: ``factor`` times the
    crop, at the ``1/scale`` resolution of the statistics, made odd."""
    if isinstance(train_crop, bool) or not isinstance(train_crop, int) or train_crop < 8:
        raise ValueError(f'local_statistics must be the training crop in pixels (>= 8), '
                         f'got {train_crop!r}')
    return int(round(factor * train_crop / scale)) // 2 * 2 + 1
