"""Side-by-side size, MACs, latency, throughput and peak memory of LFDN, NAFNet and Restormer.

All models are built from MMagic's registry in one process and timed round-robin (one pass of
each model in turn, repeated), so a change in machine load hits every model alike. Peak CPU
memory is measured per model in a fresh process (:mod:`lfdn_mm.cli.analysis.memory_probe`).
"""
import copy
import json
import math
import os
import subprocess
import sys
from dataclasses import asdict, dataclass

import torch

from ...models.summary import count_parameters
from .measure import (DTYPES, MEMORY_FORMATS, count_macs, machine_info, make_forward,
                      make_input, prepare_model, round_robin, size_label, summarise_latency,
                      timed)
from .model_zoo import build_generator, get_spec

DEFAULT_MODELS = ('lfdn', 'nafnet-w64', 'nafnet-w32', 'nafnet-w16', 'restormer')
DEFAULT_SIZES = ((256, 256), (720, 1280))


@dataclass
class BenchmarkSettings:
    """What to measure and how long to try.

    Args:
        models (Sequence[str]): Names from :data:`lfdn_mm.cli.analysis.model_zoo.MODEL_SPECS`.
        sizes (Sequence[tuple[int, int]]): Input (height, width) sizes, measured smallest first.
        device (str): ``'cpu'`` or ``'cuda'``.
        dtypes (Sequence[str]): Any of ``'fp32'``, ``'fp16'``, ``'bf16'`` (autocast).
        memory_formats (Sequence[str]): ``'contiguous'`` and/or ``'channels_last'``.
        compile (bool): Run the models through ``torch.compile``.
        batch_size (int): Images per pass; throughput is ``batch_size / median latency``.
        warmup (int): Untimed passes per model and size (at least one runs).
        repeats (int): Timed passes per model and size (fewer when the budget runs out).
        time_budget (float): Seconds one model may spend at one size; a size whose predicted
            cost (the previous size's latency scaled by MACs) exceeds it is skipped.
        measure_memory (bool): Measure peak memory (CPU: a subprocess per model).
        reference (str): The model every other one is compared with.
        threads (int, optional): ``torch.set_num_threads`` (default: torch's choice).
    """
    models: tuple = DEFAULT_MODELS
    sizes: tuple = DEFAULT_SIZES
    device: str = 'cpu'
    dtypes: tuple = ('fp32',)
    memory_formats: tuple = ('contiguous',)
    compile: bool = False
    batch_size: int = 1
    warmup: int = 2
    repeats: int = 10
    time_budget: float = 120.0
    measure_memory: bool = True
    reference: str = 'lfdn'
    threads: int = None

    def validate(self):
        for name in self.models:
            get_spec(name)
        unknown = set(self.dtypes) - set(DTYPES) or set(self.memory_formats) - set(MEMORY_FORMATS)
        if unknown:
            raise ValueError(f'unknown dtype or memory format: {sorted(unknown)}')
        if self.device not in ('cpu', 'cuda'):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {self.device!r}")
        if self.device == 'cuda' and not torch.cuda.is_available():
            raise ValueError('--device cuda asked for, but torch sees no CUDA GPU')
        if self.warmup < 0 or self.repeats < 1 or self.batch_size < 1:
            raise ValueError('need warmup >= 0, repeats >= 1 and batch_size >= 1')


def build_cases(settings, log):
    """Describe every model and prepare it once per memory format: ``(models, cases)`` with
    ``cases`` mapping ``(model, dtype, memory_format)`` to the network to run."""
    models, cases = {}, {}
    for name in settings.models:
        log(f'building {name}')
        network, spec = build_generator(name), get_spec(name)
        models[name] = dict(
            family=spec.family, description=spec.description, generator=spec.generator_cfg(),
            params=count_parameters(network), published_psnr=spec.published_psnr,
            macs={size_label(s): count_macs(network, s, settings.batch_size)
                  for s in settings.sizes})
        for memory_format in settings.memory_formats:
            last = memory_format == settings.memory_formats[-1]
            prepared = prepare_model(network if last else copy.deepcopy(network),
                                     settings.device, memory_format, settings.compile)
            cases.update({(name, dtype, memory_format): prepared for dtype in settings.dtypes})
    return models, cases


def case_key(record):
    return record['model'], record['dtype'], record['memory_format']


def plan_repeats(warm_times, settings):
    """Timed passes that fit the budget after the warm-up (at least one)."""
    left = settings.time_budget - sum(warm_times)
    return max(1, min(settings.repeats, math.floor(left / warm_times[-1])))


def measure_size(cases, size, settings, predictions, log):
    """Warm every case up at ``size`` (skipping those predicted to overrun the budget), time
    them round-robin and return one record per case."""
    records, forwards, repeats = {}, {}, {}
    for key, network in cases.items():
        model, dtype, memory_format = key
        record = records[key] = dict(
            model=model, dtype=dtype, memory_format=memory_format, size=size_label(size),
            status='ok', skip_reason=None, latency_ms=None, throughput_ips=None,
            peak_memory_mb=None, memory_growth_mb=None, memory_method=None)
        passes = max(settings.warmup, 1) + 1
        if predictions.get(key, 0) * passes > settings.time_budget:
            record.update(status='skipped', skip_reason=(
                f'predicted {predictions[key]:.1f} s per pass (previous size scaled by MACs); '
                f'{passes} passes exceed the {settings.time_budget:.0f} s budget'))
            log(f'  {key} {size_label(size)}: skipped')
            continue
        image = make_input(size, settings.batch_size, settings.device, memory_format)
        forwards[key] = make_forward(network, image, dtype)
        warm_times = [timed(forwards[key])]
        while len(warm_times) < settings.warmup and sum(warm_times) + warm_times[-1] <= \
                settings.time_budget:
            warm_times.append(timed(forwards[key]))
        repeats[key] = plan_repeats(warm_times, settings)
    for key, times in round_robin(forwards, repeats).items():
        latency = summarise_latency(times)
        records[key].update(latency_ms=latency,
                            throughput_ips=settings.batch_size / (latency['median'] / 1e3))
        if settings.measure_memory and settings.device == 'cuda':
            records[key].update(cuda_memory(forwards[key]))
        log(f"  {key} {size_label(size)}: {latency['median']:.1f} ms")
    return list(records.values())


def cuda_memory(forward):
    """Peak CUDA memory of one pass (``torch.cuda.max_memory_allocated``)."""
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    forward()
    peak = torch.cuda.max_memory_allocated()
    return dict(peak_memory_mb=peak / 2**20, memory_growth_mb=(peak - before) / 2**20,
                memory_method='torch.cuda.max_memory_allocated minus memory_allocated before')


def predict_next(records, models, size, next_size):
    """Seconds per pass at ``next_size``: this size's median scaled by the MAC ratio."""
    predictions = {}
    for record in (r for r in records if r['status'] == 'ok'):
        macs = models[record['model']]['macs']
        scale = macs[size_label(next_size)] / max(macs[size_label(size)], 1)
        predictions[case_key(record)] = record['latency_ms']['median'] / 1e3 * scale
    return predictions


def attach_cpu_memory(records, settings, log):
    """Fill the memory fields of the measured records: one fresh process per case."""
    measured = [r for r in records if r['status'] == 'ok']
    for key in dict.fromkeys(map(case_key, measured)):
        own = {r['size']: r for r in measured if case_key(r) == key}
        request = dict(model=key[0], dtype=key[1], memory_format=key[2],
                       sizes=[s for s in settings.sizes if size_label(s) in own],
                       compile=settings.compile, batch_size=settings.batch_size,
                       threads=torch.get_num_threads())
        log(f'  memory probe {key}')
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, sys.path)))
        done = subprocess.run([sys.executable, '-m', 'lfdn_mm.cli.analysis.memory_probe',
                               json.dumps(request)], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f'memory probe for {key} failed:\n{done.stderr[-2000:]}')
        for size, result in json.loads(done.stdout.strip().splitlines()[-1]).items():
            own[size].update(peak_memory_mb=result['peak_rss_mb'],
                             memory_growth_mb=result['rss_growth_mb'],
                             memory_method=result['method'])


def compare(records, models, reference):
    """Latency and MAC ratios of every model against ``reference`` at the same settings.

    ``efficiency`` = latency ratio / MAC ratio: 1 means the reference's MAC advantage turns
    fully into speed, below 1 means part of it is lost. Ratios of medians and, as the
    estimate least disturbed by other load on a shared machine, of minima.
    """
    measured = {(r['model'], r['dtype'], r['memory_format'], r['size']): r['latency_ms']
                for r in records if r['status'] == 'ok'}
    rows = []
    for (model, dtype, memory_format, size), latency in measured.items():
        base = measured.get((reference, dtype, memory_format, size))
        if model == reference or base is None:
            continue
        mac_ratio = models[model]['macs'][size] / models[reference]['macs'][size]
        ratio, min_ratio = latency['median'] / base['median'], latency['min'] / base['min']
        rows.append(dict(size=size, dtype=dtype, memory_format=memory_format,
                         reference=reference, model=model, mac_ratio=mac_ratio,
                         latency_ratio=ratio, efficiency=ratio / mac_ratio,
                         min_latency_ratio=min_ratio, min_efficiency=min_ratio / mac_ratio))
    return rows


def run_benchmark(settings, log=print):
    """Measure every model of ``settings``: a JSON-ready dict of ``machine``, ``settings``,
    ``models`` (parameters, MACs per size, published PSNRs), ``results`` (one record per
    model, dtype, memory format and size) and ``comparisons`` (ratios to the reference)."""
    settings.validate()
    if settings.threads:
        torch.set_num_threads(settings.threads)
    machine = machine_info(settings.device)
    models, cases = build_cases(settings, log)
    sizes = sorted(settings.sizes, key=lambda s: s[0] * s[1])
    records, predictions = [], {}
    for size, next_size in zip(sizes, sizes[1:] + [None]):
        log(f'size {size_label(size)}')
        size_records = measure_size(cases, size, settings, predictions, log)
        records += size_records
        if next_size:
            predictions = predict_next(size_records, models, size, next_size)
    if settings.measure_memory and settings.device == 'cpu':
        attach_cpu_memory(records, settings, log)
    machine['load_average_after'] = [round(v, 2) for v in os.getloadavg()]
    return dict(machine=machine,
                settings={**asdict(settings), 'sizes': [size_label(s) for s in settings.sizes]},
                models=models, results=records,
                comparisons=compare(records, models, settings.reference))
