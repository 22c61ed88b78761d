"""Attention channel fusion module, ACFM (paper Sec. 3.3.2, Fig. 6, Eq. 11)."""
import torch
import torch.nn.functional as F
from torch import nn

from .blocks import register_scale


class ACFM(nn.Module):
    """Pseudo-3D attention on the last block output: ``f + alpha * sigmoid(P3D(f)) * f``.

    The feature map is viewed as a one-channel volume ``(B, 1, C, H, W)``; a 1x3x3 Conv3d
    models spatial and a 3x1x1 Conv3d channel correlation (Eq. 11).

    The two convolutions are linear with nothing between them, so together they are one
    3x3x3 kernel over ``(C, H, W)``. :meth:`logits` computes exactly that with 2-D convs: one
    depthwise 3x3 conv per channel offset ``d`` in {-1, 0, +1} (the kernels and biases are
    folded from ``spatial`` and ``channel`` on every call, so both keep training), summed
    with the maps shifted by ``d`` channels. Zero padding at the first and last channel and
    the spatial bias at those borders come out as in the Conv3d pair. On the CPU the Conv3d
    pair falls back to slow kernels (a 50x180x320 map: 135 ms, against 30 ms here, 15 ms
    for channels_last maps, which stay channels_last).

    Args:
        hidden_channels (int): Channels between the two Conv3d layers (not given in the
            paper; 3 keeps the module at 41 parameters).
        alpha (float): Initial (or fixed) value of alpha; the paper starts at 0.
        learn_alpha (bool): Whether alpha is trained (Table 8 fixes it).
    """

    def __init__(self, hidden_channels=3, alpha=0.0, learn_alpha=True):
        super().__init__()
        self.spatial = nn.Conv3d(1, hidden_channels, (1, 3, 3), padding=(0, 1, 1))
        self.channel = nn.Conv3d(hidden_channels, 1, (3, 1, 1), padding=(1, 0, 0))
        register_scale(self, 'alpha', alpha, learn_alpha)

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
        """``P3D(x)`` of Eq. 11 for ``x`` of shape (B, C, H, W), before the sigmoid."""
        if torch.onnx.is_in_onnx_export():  # keeps the exported graph free of shape arithmetic
            return self.channel(self.spatial(x.unsqueeze(1))).squeeze(1)
        channels = x.shape[1]
        kernels, biases = self.folded_kernels()
        previous, same, following = (
            F.conv2d(x, kernel.expand(channels, 1, 3, 3), bias.expand(channels), padding=1,
                     groups=channels)
            for kernel, bias in zip(kernels, biases))
        from_previous = F.pad(previous[:, :-1], (0, 0, 0, 0, 1, 0))
        from_following = F.pad(following[:, 1:], (0, 0, 0, 0, 0, 1))
        return same + from_previous + from_following + self.channel.bias

    def forward(self, x):
        return x + self.alpha * (self.logits(x).sigmoid() * x)
