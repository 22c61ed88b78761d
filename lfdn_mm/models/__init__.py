"""The paper's network, one module per component (Sec. 3); how it runs fast and in tiles is
:mod:`lfdn_mm.inference`, which imports this package and is never imported by it."""
from .acfm import ACFM
from .alfm import ALFM, ConcatFusion
from .fdnb import FDNB, PlainBlock, SplitFDNB
from .lfdn_net import LFDN
from .mshf import MSHF, StridedEncoder
from .presets import PRESETS, build_lfdn_preset

__all__ = ['ACFM', 'ALFM', 'ConcatFusion', 'FDNB', 'PlainBlock', 'SplitFDNB', 'LFDN', 'MSHF',
           'StridedEncoder', 'PRESETS', 'build_lfdn_preset']
