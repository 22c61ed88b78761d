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
from dataclasses import asdict, dataclass, field

import torch

from ...models.summary import count_parameters
from .measure import (DTYPES, MEMORY_FORMATS, count_macs, machine_info, make_forward,
                      make_input, prepare_model, size_label, summarise_latency, timed)
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
        warmup (int): Untimed passes per model and size before timing (at least one runs;
            its time is reported as ``first_run_ms``).
        repeats (int): Timed passes per model and size (fewer when the budget runs out).
        time_budget (float): Seconds one model may spend at one size (warm-up and repeats);
            a size whose predicted cost (the previous size's latency scaled by MACs) exceeds
            it is skipped and reported as such.
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
        if self.device == 'cuda' and not torch.cuda.is_available():
            raise ValueError('--device cuda asked for, but torch sees no CUDA GPU')
        if self.device not in ('cpu', 'cuda'):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {self.device!r}")
        if self.warmup < 0 or self.repeats < 1 or self.batch_size < 1:
            raise ValueError('need warmup >= 0, repeats >= 1 and batch_size >= 1')


@dataclass
class Case:
    """One model in one dtype and memory format, ready to run."""
    model: str
    dtype: str
    memory_format: str
    network: object = field(repr=False)

    @property
    def key(self):
        return self.model, self.dtype, self.memory_format


def describe_model(name, network, settings):
    spec = get_spec(name)
    return dict(family=spec.family, description=spec.description,
                generator=spec.generator_cfg(), params=count_parameters(network),
                macs={size_label(size): count_macs(network, size, settings.batch_size)
                      for size in settings.sizes},
                published_psnr=spec.published_psnr)


def build_cases(settings, log):
    """Build every model once, describe it, and prepare one network per memory format."""
    models, cases = {}, []
    for name in settings.models:
        log(f'building {name}')
        network = build_generator(name)
        models[name] = describe_model(name, network, settings)
        for index, memory_format in enumerate(settings.memory_formats):
            copy_needed = index < len(settings.memory_formats) - 1
            prepared = prepare_model(copy.deepcopy(network) if copy_needed else network,
                                     settings.device, memory_format, settings.compile)
            cases += [Case(name, dtype, memory_format, prepared) for dtype in settings.dtypes]
    return models, cases


def base_record(case, size, settings):
    return dict(model=case.model, dtype=case.dtype, memory_format=case.memory_format,
                compile=settings.compile, device=settings.device,
                batch_size=settings.batch_size, size=size_label(size), status='ok',
                skip_reason=None, first_run_ms=None, latency_ms=None, throughput_ips=None,
                peak_memory_mb=None, memory_growth_mb=None, memory_method=None)


def warm_up(forward, settings):
    """Run the warm-up passes; return their times (the first pass always runs)."""
    times = [timed(forward)]
    while len(times) < settings.warmup and sum(times) + times[-1] <= settings.time_budget:
        times.append(timed(forward))
    return times


def plan_repeats(warm_times, settings):
    """Timed passes that fit the budget after the warm-up (at least one)."""
    left = settings.time_budget - sum(warm_times)
    return max(1, min(settings.repeats, math.floor(left / warm_times[-1])))


def skip_reason(predicted, settings):
    """Why a case predicted to take ``predicted`` seconds per pass is skipped, or None."""
    passes = max(settings.warmup, 1) + 1
    if predicted is None or predicted * passes <= settings.time_budget:
        return None
    return (f'predicted {predicted:.1f} s per pass (previous size scaled by MACs); '
            f'{passes} passes exceed the {settings.time_budget:.0f} s budget')


def round_robin(plans):
    """Time one pass of every plan in turn until each has its number of repeats."""
    for repeat in range(max((plan['repeats'] for plan in plans), default=0)):
        for plan in plans:
            if repeat < plan['repeats']:
                plan['times'].append(timed(plan['forward']))


def measure_size(cases, size, settings, predictions, log):
    """Warm every case up at ``size``, then time them round-robin.

    Args:
        predictions (dict): Case key -> predicted seconds per pass at ``size`` (or absent).

    Returns:
        list[dict]: One record per case.
    """
    records, plans = [], []
    for case in cases:
        record = base_record(case, size, settings)
        records.append(record)
        reason = skip_reason(predictions.get(case.key), settings)
        if reason:
            record.update(status='skipped', skip_reason=reason)
            log(f'  {case.key} {size_label(size)}: skipped ({reason})')
            continue
        image = make_input(size, settings.batch_size, settings.device, case.memory_format)
        forward = make_forward(case.network, image, case.dtype)
        warm_times = warm_up(forward, settings)
        record['first_run_ms'] = warm_times[0] * 1e3
        plans.append(dict(record=record, forward=forward, times=[],
                          repeats=plan_repeats(warm_times, settings)))
        log(f'  {case.key} {size_label(size)}: first pass {warm_times[0]:.3f} s')
    round_robin(plans)
    for plan in plans:
        latency = summarise_latency(plan['times'])
        plan['record'].update(latency_ms=latency,
                              throughput_ips=settings.batch_size / (latency['median'] / 1e3))
        if settings.measure_memory and settings.device == 'cuda':
            plan['record'].update(measure_cuda_memory(plan['forward']))
    return records


def measure_cuda_memory(forward):
    """Peak CUDA memory of one pass (``torch.cuda.max_memory_allocated``)."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    forward()
    peak = torch.cuda.max_memory_allocated()
    return dict(peak_memory_mb=peak / 2**20, memory_growth_mb=(peak - before) / 2**20,
                memory_method='torch.cuda.max_memory_allocated minus memory_allocated before')


def predict_next(records, models, size, next_size):
    """Seconds per pass at ``next_size``: this size's median scaled by the MAC ratio."""
    predictions = {}
    for record in records:
        if record['status'] != 'ok':
            continue
        macs = models[record['model']]['macs']
        scale = macs[size_label(next_size)] / max(macs[size_label(size)], 1)
        key = record['model'], record['dtype'], record['memory_format']
        predictions[key] = record['latency_ms']['median'] / 1e3 * scale
    return predictions


def probe_cpu_memory(case, sizes, settings):
    """Run :mod:`lfdn_mm.cli.analysis.memory_probe` for ``case`` in a fresh process."""
    request = dict(model=case.model, sizes=[list(s) for s in sizes], dtype=case.dtype,
                   memory_format=case.memory_format, compile=settings.compile,
                   batch_size=settings.batch_size, threads=torch.get_num_threads())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, sys.path)))  # same imports
    done = subprocess.run(
        [sys.executable, '-m', 'lfdn_mm.cli.analysis.memory_probe', json.dumps(request)],
        capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f'memory probe for {case.key} failed:\n{done.stderr[-2000:]}')
    return json.loads(done.stdout.strip().splitlines()[-1])


def attach_cpu_memory(cases, records, settings, log):
    """Fill the memory fields of every measured record from one probe per case."""
    for case in cases:
        own = [r for r in records if (r['model'], r['dtype'], r['memory_format']) == case.key
               and r['status'] == 'ok']
        labels = {r['size'] for r in own}
        sizes = [s for s in settings.sizes if size_label(s) in labels]
        if not sizes:
            continue
        log(f'  memory probe {case.key}')
        measured = probe_cpu_memory(case, sizes, settings)
        for record in own:
            result = measured[record['size']]
            record.update(peak_memory_mb=result['peak_rss_mb'],
                          memory_growth_mb=result['rss_growth_mb'],
                          memory_method=result['method'])


def compare(records, models, reference):
    """Latency and MAC ratios of every model against ``reference`` at the same settings.

    ``efficiency`` = latency ratio / MAC ratio: 1 means the reference's MAC advantage turns
    fully into speed, below 1 means part of it is lost. Ratios of medians and, as the
    estimate least disturbed by other load on a shared machine, of minima.
    """
    measured = {(r['model'], r['dtype'], r['memory_format'], r['size']): r
                for r in records if r['status'] == 'ok'}
    rows = []
    for (model, dtype, memory_format, size), record in measured.items():
        base = measured.get((reference, dtype, memory_format, size))
        if model == reference or base is None:
            continue
        mac_ratio = models[model]['macs'][size] / models[reference]['macs'][size]
        latency_ratio = record['latency_ms']['median'] / base['latency_ms']['median']
        min_latency_ratio = record['latency_ms']['min'] / base['latency_ms']['min']
        rows.append(dict(size=size, dtype=dtype, memory_format=memory_format,
                         reference=reference, model=model, mac_ratio=mac_ratio,
                         latency_ratio=latency_ratio, efficiency=latency_ratio / mac_ratio,
                         min_latency_ratio=min_latency_ratio,
                         min_efficiency=min_latency_ratio / mac_ratio))
    return rows


def channels_last_speedups(records):
    """Contiguous / channels_last median latency for every model measured both ways."""
    measured = {(r['model'], r['dtype'], r['size'], r['memory_format']): r
                for r in records if r['status'] == 'ok'}
    rows = []
    for (model, dtype, size, memory_format), record in measured.items():
        other = measured.get((model, dtype, size, 'channels_last'))
        if memory_format == 'contiguous' and other is not None:
            rows.append(dict(model=model, dtype=dtype, size=size, speedup=(
                record['latency_ms']['median'] / other['latency_ms']['median']),
                min_speedup=record['latency_ms']['min'] / other['latency_ms']['min']))
    return rows


def run_benchmark(settings, log=print):
    """Measure every model of ``settings`` and return the results as a JSON-ready dict.

    Args:
        settings (BenchmarkSettings): What to measure.
        log (Callable[[str], None]): Progress messages.

    Returns:
        dict: ``machine``, ``settings``, ``models`` (parameters, MACs per size, published
        PSNRs), ``results`` (one record per model, dtype, memory format and size),
        ``comparisons`` (ratios against the reference), ``channels_last_speedups`` and
        ``skipped``.
    """
    settings.validate()
    if settings.threads:
        torch.set_num_threads(settings.threads)
    machine = machine_info(settings.device)
    models, cases = build_cases(settings, log)
    sizes = sorted(settings.sizes, key=lambda s: s[0] * s[1])
    records, predictions = [], {}
    for index, size in enumerate(sizes):
        log(f'size {size_label(size)}')
        size_records = measure_size(cases, size, settings, predictions, log)
        records += size_records
        if index + 1 < len(sizes):
            predictions = predict_next(size_records, models, size, sizes[index + 1])
    if settings.measure_memory and settings.device == 'cpu':
        attach_cpu_memory(cases, records, settings, log)
    machine['load_average_after'] = [round(v, 2) for v in os.getloadavg()]
    return dict(
        machine=machine,
        settings={**asdict(settings), 'sizes': [size_label(s) for s in settings.sizes]},
        models=models, results=records,
        comparisons=compare(records, models, settings.reference),
        channels_last_speedups=channels_last_speedups(records),
        skipped=[dict(model=r['model'], dtype=r['dtype'], memory_format=r['memory_format'],
                      size=r['size'], reason=r['skip_reason'])
                 for r in records if r['status'] == 'skipped'])
