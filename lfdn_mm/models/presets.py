"""Named variants of LFDN: the paper model and its ablations (paper Sec. 4.4, Tables 6-9)."""
from mmagic.registry import MODELS

from .lfdn_net import LFDN

#: Switches of each variant, applied on top of the paper defaults of :class:`LFDN`.
PRESETS = {
    'paper': {},
    # Sec. 3.3.1 read with channel segmentation before each step (about 0.03 M per block)
    'fdnb_split': dict(block=dict(type='SplitFDNB')),
    # Eq. 9 with L2-normalised rows of F: attention logits independent of the image size
    'alfm_l2': dict(fusion=dict(type='ALFM', logit_scale='l2')),
    # Table 6
    'wo_mshf': dict(encoder=dict(type='StridedEncoder')),
    'rfdb': dict(norm_cfg=None),
    'cnn': dict(block=dict(type='PlainBlock')),
    'wo_fusion': dict(fusion=dict(type='ConcatFusion'), acfm=None),
    'wo_all': dict(encoder=dict(type='StridedEncoder'), block=dict(type='PlainBlock'),
                   fusion=dict(type='ConcatFusion'), acfm=None),
    # Tables 7-8: pass theta=... or alpha=... with these
    'fixed_theta': dict(fusion=dict(type='ALFM', learn_theta=False)),
    'fixed_alpha': dict(acfm=dict(type='ACFM', learn_alpha=False)),
    # Table 9
    **{f'blocks_{n}': dict(num_blocks=n) for n in range(1, 7)},
}

#: The fixed values that Tables 7 and 8 of the paper compare.
TABLE7_THETAS = (0.002, 0.001, 0.0, -0.001, -0.002, -0.0015, -0.0008)
TABLE8_ALPHAS = (0.3, 0.2, 0.1, 0.0, 0.1724, 0.1137)


@MODELS.register_module(name='LFDNPreset')
def build_lfdn_preset(preset='paper', **overrides):
    """Build the LFDN variant named ``preset``; ``overrides`` change any further switch.

    In a config: ``generator=dict(type='LFDNPreset', preset='fixed_theta', theta=-0.0015)``.
    An override replaces the preset's entry of the same name; the earlier constructor's flat
    keys (``theta``, ``alpha``, ...) change the component they belong to.
    """
    if preset not in PRESETS:
        raise KeyError(f'unknown LFDN preset {preset!r}; choose from {", ".join(PRESETS)}')
    return LFDN(**{**PRESETS[preset], **overrides})
