from .acfm import ACFM
from .alfm import ALFM, ConcatFusion
from .fdnb import FDNB, PlainBlock, SplitFDNB
from .inference_forms import convert_for_inference
from .lfdn_editor import LFDNEditor
from .lfdn_net import LFDN
from .memory_format import to_channels_last
from .mshf import MSHF, StridedEncoder
from .pass_through import PassThroughGenerator
from .presets import PRESETS, build_lfdn_preset

__all__ = ['ACFM', 'ALFM', 'ConcatFusion', 'FDNB', 'PlainBlock', 'SplitFDNB', 'LFDN', 'LFDNEditor',
           'MSHF', 'StridedEncoder', 'PassThroughGenerator', 'PRESETS', 'build_lfdn_preset',
           'to_channels_last', 'convert_for_inference']
