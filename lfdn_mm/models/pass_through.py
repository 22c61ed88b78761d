"""A generator that returns its input: scores the degraded input itself through the same
pipeline and metrics as a restoration model (the "input" row of the quality study)."""
from mmagic.registry import MODELS
from torch import nn


@MODELS.register_module()
class PassThroughGenerator(nn.Module):
    """Returns its input unchanged."""

    def forward(self, x):
        return x
