"""Memory-format helpers for models that mix 2-D and 3-D convolutions."""
import torch
from torch import nn

CONV2D_TYPES = (nn.Conv2d, nn.ConvTranspose2d)


def to_channels_last(model):
    """Store the weights of every 2-D convolution of ``model`` in channels_last, in place.

    ``model.to(memory_format=torch.channels_last)`` fails on LFDN because ACFM's Conv3d
    weights are 5-D. Converting only the 2-D convolutions is enough: a convolution whose
    weight is channels_last returns channels_last maps, so activations follow without
    converting the input image.

    Args:
        model (nn.Module): Any model; modules other than 2-D convolutions are untouched.

    Returns:
        nn.Module: ``model`` itself.
    """
    for module in model.modules():
        if isinstance(module, CONV2D_TYPES):
            module.to(memory_format=torch.channels_last)
    return model
