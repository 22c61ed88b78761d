"""Known warnings that MMagic's dependencies print when imported, and nothing else.

MMagic imports diffusers, transformers, timm and controlnet_aux, which warn about their own
deprecations and optional extras on every start. :func:`hide_third_party_warnings` filters
exactly those messages, so the warnings of this package and of user code still show.
"""
import warnings

#: ``(category, message regex)`` of each known import-time warning.
KNOWN_WARNINGS = (
    (FutureWarning, r'`torch\.utils\._pytree\._register_pytree_node` is deprecated'),
    (FutureWarning, r'Importing from timm\.'),
    (UserWarning, r"The module 'mediapipe' is not installed"),
    (UserWarning, r'Overwriting tiny_vit_\w+ in registry'),
    (DeprecationWarning, r'Please import `gaussian_filter` from the `scipy\.ndimage`'),
    (DeprecationWarning, r'`np\.bool8` is a deprecated alias'),
    (DeprecationWarning, r'`torch\.jit\.(script|interface)` is deprecated'),
    (DeprecationWarning, r'pkg_resources is deprecated'),
    (UserWarning, r'pkg_resources is deprecated as an API'),
    (DeprecationWarning, r'Deprecated call to `pkg_resources\.declare_namespace'),
)


def hide_third_party_warnings():
    for category, message in KNOWN_WARNINGS:
        warnings.filterwarnings('ignore', message=message, category=category)
