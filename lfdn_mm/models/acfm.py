"""Attention channel fusion module, ACFM (paper Sec. 3.3.2, Fig. 6, Eq. 11)."""
from mmagic.registry import MODELS
from torch import nn

from .blocks import register_scale


@MODELS.register_module()
class ACFM(nn.Module):
    """Pseudo-3D attention on the last block output: ``f + alpha * sigmoid(P3D(f)) * f``.

    The feature map is viewed as a one-channel volume ``(B, 1, C, H, W)``; a 1x3x3 Conv3d
    models spatial and a 3x1x1 Conv3d channel correlation (Eq. 11). This is the reference
    formulation; :class:`lfdn_mm.inference.fast_forms.FoldedACFM` computes the same function
    with 2-D convolutions (see :func:`lfdn_mm.inference.convert_for_inference`).

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

    def logits(self, x):
        """``P3D(x)`` of Eq. 11 for ``x`` of shape (B, C, H, W), before the sigmoid."""
        return self.channel(self.spatial(x.unsqueeze(1))).squeeze(1)

    def forward(self, x):
        return x + self.alpha * (self.logits(x).sigmoid() * x)
