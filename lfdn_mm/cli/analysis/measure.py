"""What the benchmarks share: sizes, MACs, prepared models and inputs, round-robin timing."""
import contextlib
import os
import platform
import statistics

import torch

from ...inference.fast_forms import convert_for_inference
from ...models.summary import module_macs
from ...utils.cpuinfo import cpuinfo_field
from ...utils.timing import round_robin, timed  # noqa: F401 (the tools import them here)

DTYPES = {'fp32': torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}
MEMORY_FORMATS = ('contiguous', 'channels_last')


def size_label(size):
    """``(height, width)`` -> ``'WIDTHxHEIGHT'`` (the way frame sizes are usually written)."""
    height, width = size
    return f'{width}x{height}'


def parse_size(text):
    """``'1280x720'`` (width x height) or ``'256'`` -> ``(height, width)``."""
    parts = text.lower().split('x')
    parts = parts * 2 if len(parts) == 1 else parts
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f'a size is WIDTHxHEIGHT (e.g. 1280x720) or one number, got {text!r}')
    width, height = map(int, parts)
    return height, width


def count_macs(model, size, batch_size=1):
    """Multiply-accumulates of one pass of ``batch_size`` RGB images of ``size`` (H, W)."""
    return module_macs(model, (batch_size, 3, *size), depth=0).get('Global', 0)


def prepare_model(model, device='cpu', memory_format='contiguous', compile_model=False):
    """``model`` on ``device`` in its fast forms (:func:`lfdn_mm.models.convert_for_inference`),
    its 2-D conv weights in ``memory_format``, optionally through ``torch.compile``."""
    if memory_format not in MEMORY_FORMATS:
        raise ValueError(f'memory_format must be one of {MEMORY_FORMATS}, got {memory_format!r}')
    model = convert_for_inference(model.to(device).eval(),
                                  channels_last=memory_format == 'channels_last')
    return torch.compile(model) if compile_model else model


def make_input(size, batch_size=1, device='cpu', memory_format='contiguous', seed=0):
    """A random image batch in [0, 1] of shape (batch_size, 3, height, width)."""
    image = torch.rand(batch_size, 3, *size, generator=torch.Generator().manual_seed(seed))
    image = image.to(device)
    if memory_format == 'channels_last':
        image = image.contiguous(memory_format=torch.channels_last)
    return image


def make_forward(model, image, dtype='fp32'):
    """One inference pass that waits for the device; ``fp16``/``bf16`` run under autocast."""
    device_type = image.device.type

    def forward():
        autocast = (torch.autocast(device_type, dtype=DTYPES[dtype]) if dtype != 'fp32'
                    else contextlib.nullcontext())
        with torch.inference_mode(), autocast:
            model(image)
        if device_type == 'cuda':
            torch.cuda.synchronize()

    return forward


def summarise_latency(seconds):
    """Median, quartiles, IQR, min, max and mean (in ms) of repeated run times."""
    ms = sorted(s * 1e3 for s in seconds)
    q1 = q3 = ms[0]
    if len(ms) > 1:
        q1, _, q3 = statistics.quantiles(ms, n=4, method='inclusive')
    return dict(median=statistics.median(ms), q1=q1, q3=q3, iqr=q3 - q1, min=ms[0],
                max=ms[-1], mean=statistics.fmean(ms), repeats=len(ms))


def machine_info(device='cpu'):
    """What the numbers were measured on."""
    info = dict(cpu=cpuinfo_field('model name') or platform.processor() or 'unknown',
                logical_cpus=os.cpu_count(), torch_threads=torch.get_num_threads(),
                torch=torch.__version__, python=platform.python_version(),
                platform=platform.platform(), mkldnn=torch.backends.mkldnn.is_available(),
                load_average=[round(v, 2) for v in os.getloadavg()])
    if device == 'cuda':
        info.update(gpu=torch.cuda.get_device_name(), cuda=torch.version.cuda)
    return info
