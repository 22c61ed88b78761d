"""The LFDN backbone (paper Sec. 3.1, Fig. 2)."""
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from .acfm import ACFM
from .alfm import ALFM, ConcatFusion
from .blocks import PixelShuffleUp, ResBlock, conv3x3
from .fdnb import build_block
from .mshf import MSHF, StridedEncoder


@MODELS.register_module()
class LFDN(BaseModule):
    """Lightweight Fusion Distillation Network for deblurring and deraining.

    ``head conv3x3 -> MSHF encoder (1/4 scale) -> conv1x1 -> N FDNBs ->
    ALFM(all outputs) + ACFM(last output) -> ResBlock, x2 pixel shuffle, ResBlock,
    conv3x3 + x2 pixel shuffle``. Any input size works: the input is padded to a multiple
    of the encoder stride and the output cropped back.

    Args:
        in_channels (int): Image channels in.
        out_channels (int): Image channels out.
        encoder_channels (int): Channels of the head and encoder (64).
        mid_channels (int): Channels C of the distillation stage (50).
        num_blocks (int): Number N of distillation blocks (4; Table 9 varies 1-6).
        encoder (str): ``'mshf'`` (Sec. 3.2) or ``'strided'`` (Table 6 "w/o MSHF").
        num_levels (int): MSHF depth; the stride is 2**num_levels.
        block (str): ``'fdnb'`` (RFDB-shaped steps), ``'fdnb_split'`` (channel segmentation
            before each step, Sec. 3.3.1), ``'rfdb'`` (no norm) or ``'cnn'`` (Table 6).
        split_ratio (float): Channels of a ``'fdnb_split'`` step that go to the 1x1 branch.
        norm (str | dict): FDNB normalisation: ``'instance'``, ``'batch'``, ``'layer'``,
            ``'none'``, or an MMCV norm config (see :func:`.blocks.build_norm`).
        cca_reduction (int): Channel reduction of the CCA layers.
        fusion (str): ``'attention'`` (ALFM + ACFM, added) or ``'concat'`` (Table 6).
        theta (float): Initial or fixed ALFM scale (paper: 0).
        learn_theta (bool): Whether theta is trained (Table 7).
        alpha (float): Initial or fixed ACFM scale (paper: 0).
        learn_alpha (bool): Whether alpha is trained (Table 8).
        softmax_mode (str): ALFM softmax: ``'plain'`` (Eq. 9) or ``'max_minus'``.
        alfm_logit_scale (str): ALFM logits: ``'none'`` (Eq. 9, grow with the image area),
            ``'area'`` (divided by H*W) or ``'l2'`` (cosine); see :class:`ALFM`.
        acfm_channels (int): Hidden channels of ACFM's pseudo-3D convs.
        global_residual (bool): Add the input image to the output (not in the paper;
            helps short training budgets).
        identity_init (bool): With ``global_residual``, zero the last convolution so that
            training starts from the identity (the input image) instead of a random image.
        pad_mode (str): How to pad to the stride: ``'reflect'`` (falls back to
            ``'replicate'`` on inputs too small to reflect) or ``'replicate'``.
        with_checkpoint (bool): Recompute the distillation blocks in the backward pass
            (``torch.utils.checkpoint``) to save training memory.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self, in_channels=3, out_channels=3, encoder_channels=64, mid_channels=50,
                 num_blocks=4, encoder='mshf', num_levels=4, block='fdnb', split_ratio=0.5,
                 norm='instance', cca_reduction=16, fusion='attention', theta=0.0,
                 learn_theta=True, alpha=0.0, learn_alpha=True, softmax_mode='plain',
                 alfm_logit_scale='none', acfm_channels=3, global_residual=False,
                 identity_init=True, pad_mode='reflect', with_checkpoint=False, init_cfg=None):
        super().__init__(init_cfg)
        if num_blocks < 1:
            raise ValueError(f'num_blocks must be >= 1, got {num_blocks}')
        if pad_mode not in ('reflect', 'replicate'):
            raise ValueError(f"pad_mode must be 'reflect' or 'replicate', got {pad_mode!r}")
        if global_residual and in_channels != out_channels:
            raise ValueError('global_residual needs in_channels == out_channels')
        self.in_channels = in_channels
        self.global_residual = global_residual
        self.identity_init = identity_init and global_residual
        self.pad_mode = pad_mode
        self.with_checkpoint = with_checkpoint

        self.head = conv3x3(in_channels, encoder_channels)
        self.encoder = self._build_encoder(encoder, encoder_channels, num_levels)
        self.adapt = nn.Conv2d(encoder_channels, mid_channels, 1)
        self.blocks = nn.ModuleList(
            build_block(block, mid_channels, norm, cca_reduction, split_ratio)
            for _ in range(num_blocks))
        if fusion == 'attention':
            self.alfm = ALFM(mid_channels, num_blocks, theta, learn_theta, softmax_mode,
                             alfm_logit_scale)
            self.acfm = ACFM(acfm_channels, alpha, learn_alpha)
        elif fusion == 'concat':
            self.alfm, self.acfm = ConcatFusion(mid_channels, num_blocks), None
        else:
            raise ValueError(f"fusion must be 'attention' or 'concat', got {fusion!r}")
        self.decoder = nn.Sequential(
            ResBlock(mid_channels), PixelShuffleUp(mid_channels, mid_channels),
            ResBlock(mid_channels), PixelShuffleUp(mid_channels, out_channels))
        self.start_from_identity()

    def start_from_identity(self):
        """With ``identity_init``, zero the last convolution: the output is the input."""
        if self.identity_init:
            last_conv = self.decoder[-1][0]
            nn.init.zeros_(last_conv.weight)
            nn.init.zeros_(last_conv.bias)

    def init_weights(self):
        super().init_weights()
        self.start_from_identity()

    @staticmethod
    def _build_encoder(kind, channels, num_levels):
        if kind == 'mshf':
            return MSHF(channels, num_levels)
        if kind == 'strided':
            return StridedEncoder(channels)
        raise ValueError(f"encoder must be 'mshf' or 'strided', got {kind!r}")

    @property
    def stride(self):
        """The factor every padded input side is a multiple of."""
        return self.encoder.stride

    def forward(self, x):
        """Restore ``x`` of shape (B, in_channels, H, W); returns the same H and W."""
        self._check_input(x)
        h, w = x.shape[-2:]
        out = self.restore(self.pad(x))[..., :h, :w]
        return x + out if self.global_residual else out

    def restore(self, x):
        """Run the network on an input whose sides are multiples of ``stride``."""
        return self.decode(self.fuse(self.encode(x)))

    def encode(self, x):
        """Head, encoder and 1x1 adaptation: the image to the 1/4-scale feature map (local)."""
        return self.adapt(self.encoder(self.head(x)))

    def fuse(self, feat):
        """The distillation blocks and the fusion modules at 1/4 scale.

        This is the only stage with image-wide statistics (instance norm, CCA, ALFM), so
        tile-invariant inference runs it on the whole feature map.
        """
        outputs = []
        for block in self.blocks:
            use_checkpoint = self.with_checkpoint and self.training and feat.requires_grad
            feat = checkpoint(block, feat, use_reentrant=False) if use_checkpoint else block(feat)
            outputs.append(feat)
        fused = self.alfm(outputs)
        if self.acfm is not None:
            fused = fused.add_(self.acfm(outputs[-1]))
        return fused

    def decode(self, fused):
        """The pixel-shuffle decoder: 1/4-scale features to the output image (local)."""
        return self.decoder(fused)

    def pad(self, x):
        """Pad the bottom and right of ``x`` to a multiple of ``stride``."""
        h, w = x.shape[-2:]
        pad_h, pad_w = -h % self.stride, -w % self.stride
        if pad_h == pad_w == 0:
            return x
        mode = self.pad_mode
        if mode == 'reflect' and (pad_h >= h or pad_w >= w):
            mode = 'replicate'
        return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)

    def _check_input(self, x):
        if x.dim() != 4:
            raise ValueError(f'LFDN expects a (B, C, H, W) tensor, got shape {tuple(x.shape)}')
        if x.shape[1] != self.in_channels:
            raise ValueError(f'LFDN was built for {self.in_channels}-channel images, '
                             f'got {x.shape[1]} channels (shape {tuple(x.shape)})')
        if 0 in x.shape:
            raise ValueError(f'LFDN got an empty tensor of shape {tuple(x.shape)}')
