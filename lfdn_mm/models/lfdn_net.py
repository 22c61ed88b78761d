"""The LFDN backbone (paper Sec. 3.1, Fig. 2)."""
import inspect

import torch.nn.functional as F
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from . import legacy_options
from .blocks import DEFAULT_ACT_CFG, DEFAULT_NORM_CFG, PixelShuffleUp, ResBlock, conv3x3

#: the paper's components (Fig. 2), the defaults of :class:`LFDN`
PAPER_ENCODER = dict(type='MSHF')
PAPER_BLOCK = dict(type='FDNB')
PAPER_FUSION = dict(type='ALFM')
PAPER_ACFM = dict(type='ACFM')


def build_component(cfg, **defaults):
    """Build the registered module of ``cfg`` (``MODELS``), giving it those of ``defaults``
    that its constructor takes and ``cfg`` leaves out."""
    cfg = dict(cfg)
    cls = cfg['type'] if isinstance(cfg['type'], type) else MODELS.get(cfg['type'])
    if cls is None:
        raise KeyError(f'{cfg["type"]!r} is not a registered module type (mmagic MODELS)')
    parameters = inspect.signature(cls).parameters
    any_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    for key, value in defaults.items():
        if key in parameters or any_keyword:
            cfg.setdefault(key, value)
    return MODELS.build(cfg)


@MODELS.register_module()
class LFDN(BaseModule):
    """Lightweight Fusion Distillation Network for deblurring and deraining.

    ``head conv3x3 -> encoder (1/4 scale) -> conv1x1 -> N blocks -> fusion(all outputs) +
    ACFM(last output) -> ResBlock, x2 pixel shuffle, ResBlock, conv3x3 + x2 pixel shuffle``.
    Any input size works: the input is padded to a multiple of the encoder stride and the
    output cropped back. The encoder, blocks, fusion and ACFM are registered modules
    (``MODELS``) given as configs; the paper's are the defaults, and the presets
    (:mod:`.presets`) are the paper's variants.

    Args:
        in_channels (int): Image channels in.
        out_channels (int): Image channels out.
        encoder_channels (int): Channels of the head and encoder (64); the encoder's
            ``channels``.
        mid_channels (int): Channels C of the distillation stage (50); the ``channels`` of
            the blocks and the fusion.
        num_blocks (int): Number N of distillation blocks (4; Table 9 varies 1-6).
        encoder (dict): ``dict(type='MSHF', num_levels=4)`` (Sec. 3.2) or
            ``dict(type='StridedEncoder')`` (Table 6 "w/o MSHF").
        block (dict): ``dict(type='FDNB')``, ``dict(type='SplitFDNB', split_ratio=0.5)``
            (channel segmentation before each step, Sec. 3.3.1) or ``dict(type='PlainBlock')``
            (Table 6 "FDNB -> CNN").
        fusion (dict): ``dict(type='ALFM', theta=0., learn_theta=True, softmax_mode='plain',
            logit_scale='none')`` (Eq. 9-10) or ``dict(type='ConcatFusion')`` (Table 6).
        acfm (dict, optional): ``dict(type='ACFM', hidden_channels=3, alpha=0.,
            learn_alpha=True)`` (Eq. 11), added to the fusion; None: no ACFM.
        norm_cfg (dict, optional): MMCV config of the blocks' normalisation (instance norm,
            Sec. 3.3.1); None: none (Table 6 "FDNB -> RFDB"). A block config may set its own.
        act_cfg (dict): MMCV config of the blocks' activation (LeakyReLU 0.05, as RFDB).
        global_residual (bool): Add the input image to the output (not in the paper;
            helps short training budgets).
        identity_init (bool): With ``global_residual``, zero the last convolution so that
            training starts from the identity (the input image) instead of a random image.
        pad_mode (str): How to pad to the stride: ``'reflect'`` (falls back to
            ``'replicate'`` on inputs too small to reflect) or ``'replicate'``.
        with_checkpoint (bool): Recompute the distillation blocks in the backward pass
            (``torch.utils.checkpoint``) to save training memory.
        init_cfg (dict, optional): MMEngine initialisation config.
        **legacy_keys: The earlier constructor's keys (``encoder='strided'``, ``norm='batch'``,
            ``theta=...``), translated by :mod:`.legacy_options`.
    """

    def __init__(self, in_channels=3, out_channels=3, encoder_channels=64, mid_channels=50,
                 num_blocks=4, encoder=PAPER_ENCODER, block=PAPER_BLOCK, fusion=PAPER_FUSION,
                 acfm=PAPER_ACFM, norm_cfg=DEFAULT_NORM_CFG,
                 act_cfg=DEFAULT_ACT_CFG, global_residual=False, identity_init=True,
                 pad_mode='reflect', with_checkpoint=False, init_cfg=None, **legacy_keys):
        super().__init__(init_cfg)
        if num_blocks < 1:
            raise ValueError(f'num_blocks must be >= 1, got {num_blocks}')
        if pad_mode not in ('reflect', 'replicate'):
            raise ValueError(f"pad_mode must be 'reflect' or 'replicate', got {pad_mode!r}")
        if global_residual and in_channels != out_channels:
            raise ValueError('global_residual needs in_channels == out_channels')
        parts = legacy_options.translate(
            dict(encoder=encoder, block=block, fusion=fusion, acfm=acfm, norm_cfg=norm_cfg),
            legacy_keys)
        self.in_channels = in_channels
        self.global_residual = global_residual
        self.identity_init = identity_init and global_residual
        self.pad_mode = pad_mode
        self.with_checkpoint = with_checkpoint

        self.head = conv3x3(in_channels, encoder_channels)
        self.encoder = build_component(parts['encoder'], channels=encoder_channels)
        self.adapt = nn.Conv2d(encoder_channels, mid_channels, 1)
        self.blocks = nn.ModuleList(
            build_component(parts['block'], channels=mid_channels, norm_cfg=parts['norm_cfg'],
                            act_cfg=act_cfg)
            for _ in range(num_blocks))
        self.alfm = build_component(parts['fusion'], channels=mid_channels,
                                    num_blocks=num_blocks)
        self.acfm = None if parts['acfm'] is None else build_component(parts['acfm'])
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
