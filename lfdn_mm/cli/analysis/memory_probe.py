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
import sys

import torch

from .measure import (make_forward, make_input, peak_rss_kb, prepare_model, read_status_kb,
                      reset_peak_rss, size_label)
from .model_zoo import build_generator

METHOD_RESET = 'VmHWM after a reset (clear_refs) minus VmRSS before one forward pass'
METHOD_SINCE_START = 'VmHWM since process start minus VmRSS before the forward pass'


def probe(request):
    """Measure the peak RSS of one forward pass at each requested size.

    Args:
        request (dict): ``model``, ``sizes`` ([[h, w], ...]), ``dtype``, ``memory_format``,
            ``compile``, ``batch_size`` and ``threads``.

    Returns:
        dict: Size label -> ``peak_rss_mb``, ``rss_growth_mb`` and ``method``.
    """
    torch.set_num_threads(request['threads'])
    model = prepare_model(build_generator(request['model']), 'cpu', request['memory_format'],
                          request['compile'])
    results = {}
    for height, width in request['sizes']:
        image = make_input((height, width), request['batch_size'], 'cpu',
                           request['memory_format'])
        forward = make_forward(model, image, request['dtype'])
        gc.collect()
        method = METHOD_RESET if reset_peak_rss() else METHOD_SINCE_START
        before_kb = read_status_kb('VmRSS')
        forward()
        peak_kb = peak_rss_kb()
        results[size_label((height, width))] = dict(
            peak_rss_mb=peak_kb / 1024, rss_growth_mb=(peak_kb - before_kb) / 1024,
            method=method)
        del image, forward
    return results


if __name__ == '__main__':
    print(json.dumps(probe(json.loads(sys.argv[1]))))
