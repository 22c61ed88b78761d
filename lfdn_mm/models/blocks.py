"""Small building blocks shared by the LFDN components (paper Sec. 3.1-3.3)."""
import torch
from mmcv.cnn import build_activation_layer, build_norm_layer
from torch import nn


def conv3x3(in_channels, out_channels, stride=1):
    """A 3x3 convolution that keeps the spatial size (or halves it at stride 2)."""
    return nn.Conv2d(in_channels, out_channels, 3, stride, 1)


def relu():
    """An in-place ReLU, built by ``mmcv.cnn``."""
    return build_activation_layer(dict(type='ReLU', inplace=True))


def leaky_relu(negative_slope):
    """An in-place LeakyReLU with ``negative_slope``, built by ``mmcv.cnn``."""
    return build_activation_layer(
        dict(type='LeakyReLU', negative_slope=negative_slope, inplace=True))


class ResBlock(nn.Module):
    """ResNet [40] residual block without normalisation, as EDSR uses it: conv3x3-ReLU-conv3x3
    plus identity.

    Args:
        channels (int): Input and output channels.
    """

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            conv3x3(channels, channels), relu(),
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
            leaky_relu(negative_slope),
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
    two passes (mean, then mean squared deviation).

    Args:
        channels (int): Input and output channels.
        reduction (int): Channel reduction of the squeeze step.
    """

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.excite = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), relu(),
            nn.Conv2d(hidden, channels, 1), build_activation_layer(dict(type='Sigmoid')))

    def statistic(self, x):
        """Per-channel ``std + mean`` of ``x`` (B, C, H, W) over its positions."""
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = (x - mean).square().mean(dim=(2, 3), keepdim=True).sqrt()
        return std + mean

    def forward(self, x):
        return x * self.excite(self.statistic(x))


#: The names of the earlier ``norm`` argument and the MMCV norm configs they stand for.
NORM_CFGS = {
    'instance': dict(type='IN', affine=True),  # Sec. 3.3.1
    'batch': dict(type='BN'),
    'layer': dict(type='GN', num_groups=1),  # one group: normalises over C, H and W
    'none': None,
}
#: FDNB's normalisation (Sec. 3.3.1: instance norm) and activation (RFDB's LeakyReLU(0.05))
DEFAULT_NORM_CFG = dict(type='IN', affine=True)
DEFAULT_ACT_CFG = dict(type='LeakyReLU', negative_slope=0.05, inplace=True)


def norm_cfg_of(norm):
    """The MMCV norm config (or None) of ``norm``: a config dict, None, or one of the names
    of :data:`NORM_CFGS`; anything else is a ``ValueError`` that lists the choices."""
    if norm is None or isinstance(norm, dict):
        return norm
    if isinstance(norm, str) and norm in NORM_CFGS:
        return NORM_CFGS[norm]
    raise ValueError(f'norm must be one of {sorted(NORM_CFGS)}, None or an MMCV norm config '
                     f'dict, got {norm!r}')


def build_norm(norm_cfg, channels):
    """The normalisation layer of ``norm_cfg`` for ``channels`` maps, built by
    ``mmcv.cnn.build_norm_layer``; ``nn.Identity`` for None.

    Args:
        norm_cfg (dict | None | str): An MMCV norm config such as ``dict(type='IN',
            affine=True)``, None for no normalisation, or a name of :data:`NORM_CFGS`.
        channels (int): Channels of the maps to normalise.
    """
    cfg = norm_cfg_of(norm_cfg)
    if cfg is None:
        return nn.Identity()
    return build_norm_layer(cfg, channels)[1]


def register_scale(module, name, init=0.0, learnable=True):
    """Give ``module`` a scalar ``name``: a parameter when learnable, else a fixed buffer.

    Used for ALFM's theta and ACFM's alpha (Tables 7-8 compare learnable and fixed values).
    """
    value = torch.tensor(float(init))
    if learnable:
        module.register_parameter(name, nn.Parameter(value))
    else:
        module.register_buffer(name, value)
