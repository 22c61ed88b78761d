"""Peak CPU memory of one model's inference, measured in a fresh process.

    python -m lfdn_mm.cli.analysis.memory_probe '{"model": "lfdn", "sizes": [[256, 256]], ...}'

prints one JSON line: for every size, the resident-set high-water mark (VmHWM) during one
forward pass and how far it rose above the resident set just before that pass. The mark is
reset (``/proc/self/clear_refs``) after the model and the input are built, so it covers the
forward pass alone; where it cannot be reset, the mark since process start is reported and
the method says so. A fresh process per model keeps memory freed by other models out of the
baseline.
"""
import gc
import json
import resource
import sys

import torch

from .measure import make_forward, make_input, prepare_model, size_label
from .model_zoo import build_generator

METHOD_RESET = 'VmHWM after a reset (clear_refs) minus VmRSS before one forward pass'
METHOD_SINCE_START = 'VmHWM since process start minus VmRSS before the forward pass'


def status_kb(field_name):
    """A ``Vm*`` field of ``/proc/self/status`` in kB, or None where there is no procfs."""
    try:
        with open('/proc/self/status') as status:
            return next((int(line.split()[1]) for line in status
                         if line.startswith(field_name + ':')), None)
    except OSError:
        return None


def reset_peak_rss():
    """Reset the resident-set high-water mark (Linux >= 4.0); whether it worked."""
    try:
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
        return True
    except OSError:
        return False


def probe(request):
    """Peak RSS of one forward pass at each size of ``request`` (``model``, ``sizes``,
    ``dtype``, ``memory_format``, ``compile``, ``batch_size``, ``threads``): size label ->
    ``peak_rss_mb``, ``rss_growth_mb`` and ``method``."""
    torch.set_num_threads(request['threads'])
    model = prepare_model(build_generator(request['model']), 'cpu', request['memory_format'],
                          request['compile'])
    results = {}
    for size in request['sizes']:
        image = make_input(size, request['batch_size'], 'cpu', request['memory_format'])
        forward = make_forward(model, image, request['dtype'])
        gc.collect()
        method = METHOD_RESET if reset_peak_rss() else METHOD_SINCE_START
        before_kb = status_kb('VmRSS')
        forward()
        peak_kb = status_kb('VmHWM') or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results[size_label(size)] = dict(peak_rss_mb=peak_kb / 1024, method=method,
                                         rss_growth_mb=(peak_kb - before_kb) / 1024)
        del image, forward
    return results


if __name__ == '__main__':
    print(json.dumps(probe(json.loads(sys.argv[1]))))
