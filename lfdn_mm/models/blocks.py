"""Small building blocks shared by the LFDN components (paper Sec. 3.1-3.3)."""
import torch
import torch.nn.functional as F
from torch import nn

from .local_statistics import local_mean_std


def conv3x3(in_channels, out_channels, stride=1):
    """A 3x3 convolution that keeps the spatial size (or halves it at stride 2)."""
    return nn.Conv2d(in_channels, out_channels, 3, stride, 1)


class ResBlock(nn.Module):
    """ResNet [40] residual block without normalisation, as EDSR uses it: conv3x3-ReLU-conv3x3
    plus identity.

    Args:
        channels (int): Input and output channels.
    """

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            conv3x3(channels, channels), nn.ReLU(inplace=True),
            conv3x3(channels, channels))

    def forward(self, x):
        return self.body(x).add_(x)


class DownBlock(nn.Sequential):
    """Sec. 3.2: a stride-2 conv3x3 that halves the size, then a conv3x3 that resamples.

    Args:
        channels (int): Input and output channels.
        negative_slope (float): Slope of the LeakyReLU between the two convs.
    """

    def __init__(self, channels, negative_slope=0.2):
        super().__init__(
            conv3x3(channels, channels, stride=2),
            nn.LeakyReLU(negative_slope, inplace=True),
            conv3x3(channels, channels))


class PixelShuffleUp(nn.Sequential):
    """ESPCN pixel-shuffle upsampling [41]: conv3x3 to ``out * scale**2`` channels.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels after the shuffle.
        scale (int): Upsampling factor.
    """

    def __init__(self, in_channels, out_channels, scale=2):
        super().__init__(
            conv3x3(in_channels, out_channels * scale**2), nn.PixelShuffle(scale))


class CCALayer(nn.Module):
    """Contrast-aware channel attention of IMDN, used at the end of each FDNB (Sec. 3.3.1).

    The per-channel statistic is the spatial standard deviation plus the mean, computed in
    two passes (mean, then mean squared deviation). With ``window`` set (test time, see
    :mod:`.local_statistics`) they are taken over a sliding window around each position.

    Args:
        channels (int): Input and output channels.
        reduction (int): Channel reduction of the squeeze step.
    """

    window = None

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.excite = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1), nn.Sigmoid())

    def forward(self, x):
        if self.window is not None:
            mean, std = local_mean_std(x, self.window)
            return x * self.excite(std + mean)
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = (x - mean).square().mean(dim=(2, 3), keepdim=True).sqrt()
        return x * self.excite(std + mean)


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


class InstanceNorm2d(nn.InstanceNorm2d):
    """``nn.InstanceNorm2d`` computed as a group norm with one channel per group.

    Same parameters, state_dict and result (to float rounding). Without running statistics,
    ``instance_norm`` becomes a (1, B*C, H, W) batch norm, about 5x slower on the CPU than
    ``group_norm`` with one group per channel. channels_last inputs are normalised through
    :func:`normalise_contiguous`. With ``track_running_stats=True`` the stock implementation
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


class BatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` that normalises channels_last inputs through a contiguous copy."""

    def forward(self, x):
        return normalise_contiguous(super().forward, x)


class GroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` that normalises channels_last inputs through a contiguous copy."""

    def forward(self, x):
        return normalise_contiguous(super().forward, x)


def build_norm(kind, channels):
    """Return the normalisation layer named ``kind`` for ``channels`` feature maps.

    ``'instance'`` (affine InstanceNorm2d, the default of Sec. 3.3.1), ``'batch'``,
    ``'layer'`` (GroupNorm with one group: normalises over C, H and W) or ``'none'``.
    """
    norms = {
        'instance': lambda: InstanceNorm2d(channels, affine=True),
        'batch': lambda: BatchNorm2d(channels),
        'layer': lambda: GroupNorm(1, channels),
        'none': nn.Identity,
    }
    if kind not in norms:
        raise ValueError(f'norm must be one of {sorted(norms)}, got {kind!r}')
    return norms[kind]()


def register_scale(module, name, init=0.0, learnable=True):
    """Give ``module`` a scalar ``name``: a parameter when learnable, else a fixed buffer.

    Used for ALFM's theta and ACFM's alpha (Tables 7-8 compare learnable and fixed values).
    """
    value = torch.tensor(float(init))
    if learnable:
        module.register_parameter(name, nn.Parameter(value))
    else:
        module.register_buffer(name, value)
