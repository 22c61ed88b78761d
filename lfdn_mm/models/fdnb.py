"""Feature distillation normalisation block, FDNB (paper Sec. 3.3.1, Fig. 4, Eq. 1-8)."""
import torch
from mmagic.registry import MODELS
from mmcv.cnn import build_activation_layer
from torch import nn

from .blocks import DEFAULT_ACT_CFG, DEFAULT_NORM_CFG, CCALayer, build_norm, conv3x3


@MODELS.register_module()
class FDNB(nn.Module):
    """Three distillation steps, a final coarse conv, concat, 1x1 fusion, CCA and a skip.

    Step ``j`` splits its input into a distilled part (1x1 conv to ``distilled`` channels
    followed by normalisation, Eq. 1-6) and a coarse part (conv3x3 with a residual
    connection and LeakyReLU) that feeds step ``j + 1``. A last conv3x3 (Eq. 7) reduces the
    coarse part; the four maps are concatenated, fused by a 1x1 conv, weighted by the CCA
    layer and added to the block input (Eq. 8). With ``norm_cfg=None`` this is an RFDB with a
    CCA layer, the "FDNB -> RFDB" row of Table 6.

    Args:
        channels (int): Input and output channels (C = 50 in the paper).
        distill_ratio (float): Distilled channels per step as a fraction of ``channels``.
        num_steps (int): Distillation steps before the final conv.
        norm_cfg (dict, optional): MMCV config of the normalisation after each distillation
            conv (instance norm, Sec. 3.3.1); None: none.
        act_cfg (dict): MMCV config of the coarse branch's activation.
        cca_reduction (int): Channel reduction of the CCA layer.
    """

    def __init__(self, channels=50, distill_ratio=0.5, num_steps=3, norm_cfg=DEFAULT_NORM_CFG,
                 act_cfg=DEFAULT_ACT_CFG, cca_reduction=16):
        super().__init__()
        distilled = int(channels * distill_ratio)
        self.distill = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, distilled, 1), build_norm(norm_cfg, distilled))
            for _ in range(num_steps))
        self.refine = nn.ModuleList(conv3x3(channels, channels) for _ in range(num_steps))
        self.last = conv3x3(channels, distilled)
        self.act = build_activation_layer(act_cfg)
        self.fuse = nn.Conv2d(distilled * (num_steps + 1), channels, 1)
        self.cca = CCALayer(channels, cca_reduction)

    def forward(self, x):
        distilled, coarse = [], x
        for distill, refine in zip(self.distill, self.refine):
            distilled.append(distill(coarse))
            coarse = self.act(refine(coarse).add_(coarse))
        distilled.append(self.act(self.last(coarse)))
        return self.cca(self.fuse(torch.cat(distilled, dim=1))).add_(x)


@MODELS.register_module()
class SplitFDNB(nn.Module):
    """FDNB read with channel segmentation: each step splits, then convolves (Eq. 1-8).

    "Before each convolution layer, we perform channel segmentation on the input feature"
    (Sec. 3.3.1): step ``j`` splits its input ``g_j`` into ``d = split_ratio * C`` channels,
    whose 1x1 conv and normalisation give the distilled feature, and ``C - d`` channels, whose
    3x3 conv gives the coarse feature. The two conv outputs, put back together, plus the
    residual ``g_j`` form the next step's input. The last step's coarse part goes through a
    3x3 conv to ``d`` channels (Eq. 7); then concat, 1x1 fusion, CCA and the block skip
    (Eq. 8). About 30 K parameters per block at C = 50, as Table 9's 0.03 M steps.

    Args:
        channels (int): Input and output channels (C = 50 in the paper).
        split_ratio (float): Fraction of channels sent to the distillation (1x1) branch.
        num_steps (int): Split steps before the final conv.
        norm_cfg (dict, optional): MMCV config of the normalisation of the distilled
            features; None: none.
        act_cfg (dict): MMCV config of the activation.
        cca_reduction (int): Channel reduction of the CCA layer.
    """

    def __init__(self, channels=50, split_ratio=0.5, num_steps=3, norm_cfg=DEFAULT_NORM_CFG,
                 act_cfg=DEFAULT_ACT_CFG, cca_reduction=16):
        super().__init__()
        if not 0 < split_ratio < 1:
            raise ValueError(f'split_ratio must be in (0, 1), got {split_ratio!r}')
        self.distilled = max(1, min(channels - 1, round(channels * split_ratio)))
        coarse = channels - self.distilled
        self.distill = nn.ModuleList(
            nn.Conv2d(self.distilled, self.distilled, 1) for _ in range(num_steps))
        self.norms = nn.ModuleList(
            build_norm(norm_cfg, self.distilled) for _ in range(num_steps))
        self.refine = nn.ModuleList(conv3x3(coarse, coarse) for _ in range(num_steps))
        self.last = conv3x3(coarse, self.distilled)
        self.act = build_activation_layer(act_cfg)
        self.fuse = nn.Conv2d(self.distilled * (num_steps + 1), channels, 1)
        self.cca = CCALayer(channels, cca_reduction)

    def forward(self, x):
        distilled, feat = [], x
        for distill, norm, refine in zip(self.distill, self.norms, self.refine):
            part1, part2 = feat.split((self.distilled, feat.shape[1] - self.distilled), dim=1)
            fine = distill(part1)
            distilled.append(norm(fine))
            feat = self.act(torch.cat((fine, refine(part2)), dim=1).add_(feat))
        distilled.append(self.act(self.last(feat[:, self.distilled:])))
        return self.cca(self.fuse(torch.cat(distilled, dim=1))).add_(x)


@MODELS.register_module()
class PlainBlock(nn.Module):
    """Table 6 "FDNB -> CNN": four conv3x3 + LeakyReLU layers with a block skip.

    The same depth of 3x3 convs as an FDNB, without distillation, norm or attention.

    Args:
        channels (int): Input and output channels.
        num_convs (int): Number of conv3x3 layers.
        act_cfg (dict): MMCV config of the activation after each conv.
    """

    def __init__(self, channels=50, num_convs=4, act_cfg=DEFAULT_ACT_CFG):
        super().__init__()
        layers = []
        for _ in range(num_convs):
            layers += [conv3x3(channels, channels), build_activation_layer(act_cfg)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)

