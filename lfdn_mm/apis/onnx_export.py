"""Export a generator to ONNX with dynamic batch, height and width, and check it.

The graph is the generator alone: it takes RGB images normalised as the config's data
preprocessor does (``x / 255`` for LFDN's configs) and returns them restored, same size.
LFDN's padding to its stride is traced as reflection, so the exported graph needs sides of
at least ``stride // 2 + 1`` pixels (9 for the paper model); PyTorch switches to replicate
padding below that. The plain modules are traced (a generator in its fast forms is switched
back for the export, :func:`lfdn_mm.inference.fast_forms.plain_forms`): ACFM as its two
Conv3d layers, the instance norms as ``InstanceNormalization``.
"""
import warnings

import numpy as np
import torch

from ..inference.fast_forms import plain_forms
from ..utils import atomic_path

DYNAMIC_AXES = {name: {0: 'batch', 2: 'height', 3: 'width'} for name in ('input', 'output')}
#: Traced with sides that are not multiples of the stride, so the padding is in the graph.
EXPORT_SIZE = (45, 61)


def export_onnx(generator, path, opset=17, example_size=EXPORT_SIZE, example=None):
    """Write ``generator`` to ``path`` (atomically) as ONNX with dynamic batch/height/width,
    traced on ``example`` (default: a random RGB image of ``example_size``)."""
    example = torch.rand(1, 3, *example_size) if example is None else example
    with (plain_forms(generator), atomic_path(path) as tmp, torch.no_grad(),
          warnings.catch_warnings()):
        # the shape checks and the padding branch are traced for EXPORT_SIZE, see above
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        # dynamo=False on purpose: the TorchScript exporter keeps dynamic height and width
        warnings.filterwarnings('ignore', 'You are using the legacy TorchScript',
                                DeprecationWarning)
        # nn.InstanceNorm2d without running statistics uses the input's statistics in eval
        # mode too, which is what the exported InstanceNormalization does
        warnings.filterwarnings('ignore', ".*operator 'instance_norm' is set to train=True",
                                UserWarning)
        torch.onnx.export(generator, (example, ), str(tmp), input_names=['input'],
                          output_names=['output'], dynamic_axes=DYNAMIC_AXES,
                          opset_version=opset, dynamo=False)
    return path


def onnx_max_abs_diff(path, generator, size=(37, 53), batch=1, seed=0):
    """Largest absolute difference of onnxruntime and PyTorch on a random [0, 1] image."""
    import onnxruntime

    image = torch.rand(batch, 3, *size, generator=torch.Generator().manual_seed(seed))
    session = onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    (onnx_output, ) = session.run(None, {'input': image.numpy()})
    with torch.no_grad():
        torch_output = generator(image).numpy()
    if onnx_output.shape != torch_output.shape:
        raise ValueError(f'ONNX output shape {onnx_output.shape} differs from PyTorch '
                         f'{torch_output.shape}')
    return float(np.abs(onnx_output - torch_output).max())
