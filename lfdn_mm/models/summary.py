"""Parameters, MACs and output shapes of a network, per LFDN component (docs, benchmarks).

Not ``mmengine.analysis.get_model_complexity_info``: it traces the model with real tensors
(``torch.jit``), while :func:`module_macs` counts on fake tensors, so a 1280x720 Restormer is
counted in a fraction of a second without allocating its activations."""
import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.utils.flop_counter import FlopCounterMode

COMPONENTS = ('head', 'encoder', 'adapt', 'blocks', 'alfm', 'acfm', 'decoder')


def count_parameters(module):
    return sum(p.numel() for p in module.parameters()) if module is not None else 0


def trace_shapes(model, image_shape):
    """Output shape of every top-level component for one input of ``image_shape`` (C, H, W)."""
    shapes, handles = {}, []

    def recorder(name):
        def record(module, inputs, output):
            shapes[name] = tuple(output.shape)
        return record

    stages = [(name, getattr(model, name)) for name in COMPONENTS if name != 'blocks']
    stages += [(f'blocks.{i}', block) for i, block in enumerate(model.blocks)]
    for name, module in stages:
        if module is not None:
            handles.append(module.register_forward_hook(recorder(name)))
    with torch.no_grad():
        shapes['output'] = tuple(model(torch.zeros(1, *image_shape)).shape)
    for handle in handles:
        handle.remove()
    return shapes


def module_macs(model, input_shape, depth=3):
    """Multiply-accumulates (torch's ``FlopCounterMode``, FLOPs / 2) of one forward pass on
    ``torch.zeros(input_shape)``, per module name up to ``depth`` levels, and the whole pass
    as ``'Global'``. The pass runs on fake tensors (shapes only), so even a 1280x720
    Restormer is counted in a fraction of a second."""
    counter = FlopCounterMode(display=False, depth=depth)
    with torch.no_grad(), FakeTensorMode(allow_non_fake_inputs=True), counter:
        model(torch.zeros(input_shape))
    return {key: sum(ops.values()) // 2 for key, ops in counter.get_flop_counts().items()}


def count_macs(model, image_shape):
    """Multiply-accumulates of each LFDN component for one image of ``image_shape`` (C, H, W)."""
    flops = {key: 2 * macs for key, macs in module_macs(model, (1, *image_shape)).items()}
    prefix = type(model).__name__
    macs = {name: flops.get(f'{prefix}.{name}', 0) // 2 for name in COMPONENTS}
    macs['blocks'] = sum(flops.get(f'{prefix}.blocks.{i}', 0)
                         for i in range(len(model.blocks))) // 2
    macs['total'] = flops.get('Global', 0) // 2
    return macs


def component_table(model, sizes=((256, 256), (720, 1280))):
    """Rows of (component, parameters, MACs at each size) for ``model``."""
    macs = [count_macs(model, (3, h, w)) for h, w in sizes]
    rows = [(name, count_parameters(getattr(model, name)), *(m[name] for m in macs))
            for name in COMPONENTS]
    rows.append(('total', count_parameters(model), *(m['total'] for m in macs)))
    return rows
