"""Attention layer fusion module, ALFM (paper Sec. 3.3.2, Fig. 5, Eq. 9-10)."""
import torch
from mmagic.registry import MODELS
from torch import nn

from .blocks import register_scale


@MODELS.register_module()
class ALFM(nn.Module):
    """Channel attention across the outputs of all N distillation blocks.

    The N outputs form an ``NC x HW`` matrix ``F`` per sample; ``A = softmax(F F^T)``
    (Eq. 9) and ``F' = theta * A F + F`` (Eq. 10); a 1x1 conv reduces ``NC`` to ``C``.
    The attention runs in float32 even under autocast (``F F^T`` sums ``HW`` products and
    overflows half precision); ``theta * A F + F``, a convex combination of rows plus ``F``,
    runs in the features' own precision.

    Args:
        channels (int): Channels C of each block output.
        num_blocks (int): Number N of block outputs.
        theta (float): Initial (or fixed) value of theta; the paper starts at 0.
        learn_theta (bool): Whether theta is trained (Table 7 fixes it).
        softmax_mode (str): ``'plain'``: softmax(E) as in Eq. 9; ``'max_minus'``:
            softmax(max(E) - E), the layer attention of HAN.
        logit_scale (str): ``'none'``: ``E = F F^T`` as in Eq. 9, whose entries grow with
            the number of positions ``HW``, so the softmax is sharper on large images than
            on training crops; ``'area'``: ``E = F F^T / HW``; ``'l2'``: rows of ``F``
            L2-normalised first (cosine similarities, as Restormer's channel attention).
            The last two make ``E`` independent of the image size.
    """

    def __init__(self, channels=50, num_blocks=4, theta=0.0, learn_theta=True,
                 softmax_mode='plain', logit_scale='none'):
        super().__init__()
        if softmax_mode not in ('plain', 'max_minus'):
            raise ValueError(f"softmax_mode must be 'plain' or 'max_minus', got {softmax_mode!r}")
        if logit_scale not in ('none', 'area', 'l2'):
            raise ValueError(f"logit_scale must be 'none', 'area' or 'l2', got {logit_scale!r}")
        self.softmax_mode = softmax_mode
        self.logit_scale = logit_scale
        register_scale(self, 'theta', theta, learn_theta)
        self.reduce = nn.Conv2d(channels * num_blocks, channels, 1)

    def attention(self, features):
        """Return the ``B x NC x NC`` attention matrix of ``B x NC x HW`` features."""
        gram = torch.bmm(features, features.transpose(1, 2))
        return self.attention_from_gram(gram, features.shape[-1])

    def attention_from_gram(self, gram, positions):
        """Eq. 9 from the Gram matrix ``F F^T`` of the features and their ``HW`` positions."""
        energy = gram
        if self.logit_scale == 'l2':  # cosine similarities: F F^T over the row norms
            norms = gram.diagonal(dim1=1, dim2=2).sqrt().clamp_min(1e-12)
            energy = gram / (norms[:, :, None] * norms[:, None, :])
        elif self.logit_scale == 'area':
            energy = gram / positions
        if self.softmax_mode == 'max_minus':
            energy = energy.amax(dim=-1, keepdim=True) - energy
        return energy.softmax(dim=-1)

    def forward(self, block_outputs):
        stacked = torch.cat(block_outputs, dim=1)
        h, w = stacked.shape[-2:]
        features = stacked.flatten(2)
        with torch.autocast(stacked.device.type, enabled=False):
            attention = self.attention(features.float())
            scaled = (self.theta.float() * attention).to(features.dtype)
            fused = torch.bmm(scaled, features).add_(features)
        return self.reduce(fused.unflatten(2, (h, w)))


@MODELS.register_module()
class ConcatFusion(nn.Module):
    """Table 6 "w/o ALFM/ACFM": a 1x1 conv over the concatenated block outputs.

    Args:
        channels (int): Channels C of each block output.
        num_blocks (int): Number N of block outputs.
    """

    def __init__(self, channels=50, num_blocks=4):
        super().__init__()
        self.reduce = nn.Conv2d(channels * num_blocks, channels, 1)

    def forward(self, block_outputs):
        return self.reduce(torch.cat(block_outputs, dim=1))
