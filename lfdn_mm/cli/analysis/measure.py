"""Measurements shared by the benchmark and its memory probe: MACs, inputs, timed runs, RSS."""
import contextlib
import os
import platform
import resource
import statistics
import time

import torch

from ...models.inference_forms import convert_for_inference
from ...models.summary import module_macs
from ...utils.cpuinfo import cpuinfo_field

DTYPES = {'fp32': torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}
MEMORY_FORMATS = ('contiguous', 'channels_last')


def size_label(size):
    """``(height, width)`` -> ``'WIDTHxHEIGHT'`` (the way frame sizes are usually written)."""
    height, width = size
    return f'{width}x{height}'


def parse_size(text):
    """``'1280x720'`` (width x height) or ``'256'`` -> ``(height, width)``."""
    parts = text.lower().split('x')
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f'a size is WIDTHxHEIGHT (e.g. 1280x720) or one number, got {text!r}')
    width, height = map(int, parts)
    return height, width


def count_macs(model, size, batch_size=1):
    """Multiply-accumulates of one pass of ``batch_size`` RGB images of ``size`` (H, W)."""
    return module_macs(model, (batch_size, 3, *size), depth=0).get('Global', 0)


def prepare_model(model, device='cpu', memory_format='contiguous', compile_model=False):
    """Move ``model`` to ``device``, switch it to its fast forms with its 2-D conv weights in
    ``memory_format`` (:func:`lfdn_mm.models.convert_for_inference`), compile.

    Args:
        model (nn.Module): A model in eval mode (changed in place).
        device (str): ``'cpu'`` or ``'cuda'``.
        memory_format (str): ``'contiguous'`` or ``'channels_last'``.
        compile_model (bool): Wrap the model with ``torch.compile``.

    Returns:
        Callable: The model to call.
    """
    if memory_format not in MEMORY_FORMATS:
        raise ValueError(f'memory_format must be one of {MEMORY_FORMATS}, got {memory_format!r}')
    model = convert_for_inference(model.to(device).eval(),
                                  channels_last=memory_format == 'channels_last')
    return torch.compile(model) if compile_model else model


def make_input(size, batch_size=1, device='cpu', memory_format='contiguous', seed=0):
    """A random image batch in [0, 1] of shape (batch_size, 3, height, width)."""
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand(batch_size, 3, *size, generator=generator).to(device)
    if memory_format == 'channels_last':
        image = image.contiguous(memory_format=torch.channels_last)
    return image


def make_forward(model, image, dtype='fp32'):
    """A function that runs one inference pass and waits for the device to finish.

    ``fp16`` and ``bf16`` run under ``torch.autocast`` with fp32 weights (LFDN keeps its
    attention energies in fp32 there).
    """
    device_type = image.device.type
    precision = DTYPES[dtype]

    def forward():
        autocast = (torch.autocast(device_type, dtype=precision) if dtype != 'fp32'
                    else contextlib.nullcontext())
        with torch.inference_mode(), autocast:
            model(image)
        if device_type == 'cuda':
            torch.cuda.synchronize()

    return forward


def timed(function):
    """Run ``function`` once and return the wall time in seconds."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def summarise_latency(seconds):
    """Median, quartiles, IQR, min, max and mean (in ms) of repeated run times."""
    ms = sorted(s * 1e3 for s in seconds)
    if len(ms) >= 2:
        q1, _, q3 = statistics.quantiles(ms, n=4, method='inclusive')
    else:
        q1 = q3 = ms[0]
    return dict(median=statistics.median(ms), q1=q1, q3=q3, iqr=q3 - q1, min=ms[0],
                max=ms[-1], mean=statistics.fmean(ms), repeats=len(ms))


def read_status_kb(field_name):
    """A ``Vm*`` field of ``/proc/self/status`` in kB, or None where there is no procfs."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith(field_name + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss():
    """Reset the kernel's resident-set high-water mark (VmHWM) to the current RSS.

    Returns:
        bool: Whether it worked (Linux >= 4.0 with a writable ``/proc/self/clear_refs``).
    """
    try:
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
        return True
    except OSError:
        return False


def peak_rss_kb():
    """The process's resident-set high-water mark in kB (VmHWM, else ``ru_maxrss``)."""
    peak = read_status_kb('VmHWM')
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_model_name():
    return cpuinfo_field('model name') or platform.processor() or 'unknown'


def machine_info(device='cpu'):
    """What the numbers were measured on."""
    info = dict(cpu=cpu_model_name(), logical_cpus=os.cpu_count(),
                torch_threads=torch.get_num_threads(), torch=torch.__version__,
                python=platform.python_version(), platform=platform.platform(),
                mkldnn=torch.backends.mkldnn.is_available(),
                load_average=[round(v, 2) for v in os.getloadavg()])
    if device == 'cuda':
        info['gpu'] = torch.cuda.get_device_name()
        info['cuda'] = torch.version.cuda
    return info
