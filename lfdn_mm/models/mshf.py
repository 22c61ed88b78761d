"""Multi-scale hierarchical fusion encoder, MSHF (paper Sec. 3.2, Fig. 3, Algorithm 1)."""
from mmagic.registry import MODELS
from torch import nn

from .blocks import DownBlock, PixelShuffleUp, ResBlock, conv3x3, leaky_relu


@MODELS.register_module()
class MSHF(nn.Module):
    """Encode a feature map into ``num_levels`` scales and fuse them in small-scale space.

    Each level is ``f_i = ResBlock(DownBlock(f_{i-1}))`` at 1/2**i of the input size. The
    deepest level is upsampled by pixel shuffle, added to the next shallower one and refined
    by a ResBlock, up to level 2: with four levels,
    ``g3 = ResBlock(f3 + Up(f4))`` and ``out = ResBlock(f2 + Up(g3))`` at 1/4 scale.
    (Algorithm 1 as printed overwrites its own loop indices; this is the topology of Fig. 3.)

    Args:
        channels (int): Feature channels at every level.
        num_levels (int): Number of DownBlocks; the total stride is 2**num_levels.
    """

    def __init__(self, channels=64, num_levels=4):
        super().__init__()
        if num_levels < 2:
            raise ValueError(f'MSHF needs num_levels >= 2, got {num_levels}')
        self.down = nn.ModuleList(
            nn.Sequential(DownBlock(channels), ResBlock(channels))
            for _ in range(num_levels))
        num_fusions = num_levels - 2
        self.up = nn.ModuleList(
            PixelShuffleUp(channels, channels) for _ in range(num_fusions))
        self.fuse = nn.ModuleList(ResBlock(channels) for _ in range(num_fusions))
        self.stride = 2**num_levels

    def forward(self, x):
        levels = []
        for down in self.down:
            x = down(x)
            levels.append(x)
        fused = levels[-1]
        for shallower, up, fuse in zip(reversed(levels[1:-1]), self.up, self.fuse):
            fused = fuse(up(fused).add_(shallower))
        return fused


@MODELS.register_module()
class StridedEncoder(nn.Sequential):
    """Table 6 "w/o MSHF": two stride-2 conv3x3 + LeakyReLU, then two ResBlocks (1/4 scale).

    Args:
        channels (int): Feature channels.
    """

    def __init__(self, channels=64):
        super().__init__(
            conv3x3(channels, channels, stride=2), leaky_relu(0.2),
            conv3x3(channels, channels, stride=2), leaky_relu(0.2),
            ResBlock(channels), ResBlock(channels))
        self.stride = 4
