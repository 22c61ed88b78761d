"""Small building blocks shared by the LFDN components (paper Sec. 3.1-3.3)."""
import torch
from torch import nn


def conv3x3(in_channels, out_channels, stride=1):
    """A 3x3 convolution that keeps the spatial size (or halves it at stride 2)."""
    return nn.Conv2d(in_channels, out_channels, 3, stride, 1)


class ResBlock(nn.Module):
    """EDSR-style residual block [40]: conv3x3-ReLU-conv3x3 plus identity, no norm.

    Args:
        channels (int): Input and output channels.
    """

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            conv3x3(channels, channels), nn.ReLU(inplace=True),
            conv3x3(channels, channels))

    def forward(self, x):
        return x + self.body(x)


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

    The per-channel statistic is the spatial standard deviation plus the mean.

    Args:
        channels (int): Input and output channels.
        reduction (int): Channel reduction of the squeeze step.
    """

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.excite = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1), nn.Sigmoid())

    def forward(self, x):
        std, mean = torch.std_mean(x, dim=(2, 3), unbiased=False, keepdim=True)
        return x * self.excite(std + mean)


def build_norm(kind, channels):
    """Return the normalisation layer named ``kind`` for ``channels`` feature maps.

    ``'instance'`` (affine InstanceNorm2d, the default of Sec. 3.3.1), ``'batch'``,
    ``'layer'`` (GroupNorm with one group: normalises over C, H and W) or ``'none'``.
    """
    norms = {
        'instance': lambda: nn.InstanceNorm2d(channels, affine=True),
        'batch': lambda: nn.BatchNorm2d(channels),
        'layer': lambda: nn.GroupNorm(1, channels),
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
