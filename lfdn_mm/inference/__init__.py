"""How the paper's network (:mod:`lfdn_mm.models`) runs fast and big: the fast forms of its
modules and the one table that registers them, the lean middle and exact tiling, test-time
local statistics, memory formats, and the editor that tiles and self-ensembles at test time.
This package imports :mod:`lfdn_mm.models`; the models never import it."""
from .fast_forms import convert_for_inference, plain_forms, use_local_statistics
from .lfdn_editor import LFDNEditor
from .memory_format import to_channels_last
from .registry import FAST_FORMS, FastForm, UnregisteredFormError, register_fast_form
from .tiling import restore_tensor

__all__ = ['convert_for_inference', 'plain_forms', 'use_local_statistics', 'LFDNEditor',
           'to_channels_last', 'FAST_FORMS', 'FastForm', 'UnregisteredFormError',
           'register_fast_form', 'restore_tensor']
