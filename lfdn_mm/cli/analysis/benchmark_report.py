"""Write a benchmark result as JSON, a Markdown report and PNG plots."""
import math
from pathlib import Path

from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from ...utils import atomic_path, write_json
from .report_utils import markdown_table, new_figure, plt, save_figure

#: Datasets drawn in the latency-vs-PSNR plot (the paper's Figure 1 uses GoPro).
PSNR_PLOT_DATASETS = ('GoPro', 'Rain100L')
MARKERS = {'contiguous': 'o', 'channels_last': 's'}


def fmt(value, digits=1):
    return '-' if value is None else f'{value:,.{digits}f}'


def result_rows(result, size):
    models = result['models']
    for record in result['results']:
        if record['size'] != size:
            continue
        info = models[record['model']]
        latency = record['latency_ms'] or {}
        yield [record['model'], fmt(info['params'] / 1e6, 2),
               fmt(info['macs'][size] / 1e9, 2), record['dtype'], record['memory_format'],
               fmt(latency.get('median')), fmt(latency.get('iqr')),
               f"{fmt(latency.get('min'))}-{fmt(latency.get('max'))}" if latency else '-',
               latency.get('repeats', '-'), fmt(record['throughput_ips'], 2),
               fmt(record['memory_growth_mb'], 0), fmt(record['peak_memory_mb'], 0),
               record['status']]


def machine_lines(result):
    machine, settings = result['machine'], result['settings']
    lines = [f"- CPU: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, "
             f"torch threads: {machine['torch_threads']}",
             f"- torch {machine['torch']}, Python {machine['python']}, {machine['platform']}",
             f"- load average (1, 5, 15 min) at start {machine['load_average']}, at end "
             f"{machine.get('load_average_after')}"]
    if 'gpu' in machine:
        lines.append(f"- GPU: {machine['gpu']} (CUDA {machine['cuda']})")
    lines.append(f"- device {settings['device']}, batch {settings['batch_size']}, warm-up "
                 f"{settings['warmup']}, up to {settings['repeats']} timed passes within "
                 f"{settings['time_budget']:.0f} s per model and size, torch.compile: "
                 f"{settings['compile']}")
    return lines


RESULT_HEADERS = ['model', 'params (M)', 'GMACs', 'dtype', 'format', 'median', 'IQR',
                  'min-max', 'runs', 'img/s', 'mem. growth (MB)', 'peak (MB)', 'status']


def comparison_section(result):
    reference = result['comparisons'][0]['reference']
    rows = ([c['size'], c['dtype'], c['memory_format'], c['model'], fmt(c['mac_ratio'], 2),
             fmt(c['latency_ratio'], 2), fmt(c['efficiency'], 2),
             fmt(c['min_latency_ratio'], 2), fmt(c['min_efficiency'], 2)]
            for c in result['comparisons'])
    return [f'## Against {reference}\n',
            'MAC ratio = model MACs / reference MACs; latency ratio likewise (of medians, and '
            'of minima: the passes least disturbed by other load); efficiency = latency ratio '
            '/ MAC ratio (1: the MAC advantage is fully turned into speed).\n',
            markdown_table(['size', 'dtype', 'format', 'model', 'MAC ratio', 'latency ratio',
                            'efficiency', 'min ratio', 'min efficiency'], rows,
                           align='llllrrrrr')]


def speedup_section(result):
    rows = ([s['model'], s['dtype'], s['size'], fmt(s['speedup'], 2),
             fmt(s['min_speedup'], 2)] for s in result['channels_last_speedups'])
    return ['## channels_last speed-up (contiguous / channels_last latency)\n',
            markdown_table(['model', 'dtype', 'size', 'speed-up (medians)', 'speed-up (minima)'],
                           rows, align='lllrr')]


def skipped_section(result):
    rows = ([s['model'], s['dtype'], s['memory_format'], s['size'], s['reason']]
            for s in result['skipped'])
    return ['## Skipped\n',
            markdown_table(['model', 'dtype', 'format', 'size', 'reason'], rows, align='lllll')]


def markdown_report(result, command=None):
    """The whole benchmark as Markdown: machine, one table per size, ratios, skips."""
    parts = ['# Inference benchmark\n', *machine_lines(result), '']
    if command:
        parts += ['```bash', command, '```', '']
    memory_methods = {r['memory_method'] for r in result['results'] if r['memory_method']}
    parts.append('Latency per pass in ms (median, interquartile range, min-max over the timed '
                 "passes); MACs counted by torch's FlopCounterMode; memory: "
                 + ('; '.join(sorted(memory_methods)) or 'not measured') + '.\n')
    for size in result['settings']['sizes']:
        parts += [f'## {size} (width x height)\n',
                  markdown_table(RESULT_HEADERS, result_rows(result, size),
                                 align='lrrllrrrrrrrl')]
    if result['comparisons']:
        parts += comparison_section(result)
    if result['channels_last_speedups']:
        parts += speedup_section(result)
    if result['skipped']:
        parts += skipped_section(result)
    return '\n'.join(parts)


def measured(result):
    return [r for r in result['results'] if r['status'] == 'ok']


VARIANT_COLOUR = 'silver'


def is_variant(result, name):
    """LFDN ablation variants are drawn alike and unlabelled, as one group."""
    return result['models'][name]['family'] == 'LFDN' and name != 'lfdn'


def model_colours(result):
    """One colour per model (one shared colour for the LFDN variants)."""
    cycle = iter(plt.rcParams['axes.prop_cycle'].by_key()['color'] * 3)
    return {name: VARIANT_COLOUR if is_variant(result, name) else next(cycle)
            for name in result['models']}


def label_point(axis, result, record, first_format, point):
    if record['memory_format'] == first_format and not is_variant(result, record['model']):
        axis.annotate(record['model'], point, fontsize=6, xytext=(3, 2),
                      textcoords='offset points')


def finish_log_axes(axis, title, xlabel, ylabel, log_y=True):
    axis.set_xscale('log')
    if log_y:
        axis.set_yscale('log')
    for scale_axis in (axis.xaxis, axis.yaxis):
        scale_axis.set_minor_formatter(NullFormatter())
    axis.set(title=title, xlabel=xlabel, ylabel=ylabel)
    axis.grid(True, which='both', alpha=0.3)


def add_legend(axis, result, records):
    """Marker shapes per memory format and the colour of the LFDN variants, where present."""
    formats = sorted({r['memory_format'] for r in records})
    handles = []
    if len(formats) > 1:
        handles += [Line2D([], [], color='grey', marker=MARKERS[f], linestyle='', label=f)
                    for f in formats]
    if any(is_variant(result, r['model']) for r in records):
        handles.append(Line2D([], [], color=VARIANT_COLOUR, marker='o', linestyle='',
                              label='LFDN Table 6 variants'))
    if handles:
        axis.legend(handles=handles, fontsize=6, loc='best')


def plot_latency_vs_params(result, path):
    """One log-log panel per size: median latency against parameter count."""
    sizes = result['settings']['sizes']
    colours = model_colours(result)
    figure, axes = new_figure(len(sizes))
    for axis, size in zip(axes, sizes):
        records = [r for r in measured(result) if r['size'] == size]
        for record in records:
            params = result['models'][record['model']]['params'] / 1e6
            latency = record['latency_ms']['median']
            axis.scatter(params, latency, marker=MARKERS[record['memory_format']], s=22,
                         color=colours[record['model']])
            label_point(axis, result, record, records[0]['memory_format'], (params, latency))
        finish_log_axes(axis, f'{size}, {result["settings"]["device"]}', 'parameters (M)',
                        'median latency (ms)')
        add_legend(axis, result, records)
    save_figure(figure, path)


def psnr_plot_size(result, dataset):
    """The size at which most models with a published ``dataset`` PSNR were measured (the
    largest such size on a tie), or None when fewer than two were."""
    def models_at(size):
        return {r['model'] for r in measured(result) if r['size'] == size
                and dataset in result['models'][r['model']]['published_psnr']}

    def pixels(size):
        return math.prod(int(v) for v in size.split('x'))

    size = max(result['settings']['sizes'], key=lambda s: (len(models_at(s)), pixels(s)))
    return size if len(models_at(size)) >= 2 else None


def plot_latency_vs_psnr(result, path):
    """Published PSNR against measured latency, one panel per dataset (cf. paper Fig. 1).

    Returns:
        bool: Whether anything was drawn (at least two models with a published PSNR).
    """
    panels = [(d, psnr_plot_size(result, d)) for d in PSNR_PLOT_DATASETS]
    panels = [(d, s) for d, s in panels if s is not None]
    if not panels:
        return False
    colours = model_colours(result)
    figure, axes = new_figure(len(panels))
    for axis, (dataset, size) in zip(axes, panels):
        records = [r for r in measured(result) if r['size'] == size
                   and dataset in result['models'][r['model']]['published_psnr']]
        for record in records:
            psnr = result['models'][record['model']]['published_psnr'][dataset]
            latency = record['latency_ms']['median']
            axis.scatter(latency, psnr, marker=MARKERS[record['memory_format']], s=22,
                         color=colours[record['model']])
            label_point(axis, result, record, records[0]['memory_format'], (latency, psnr))
        finish_log_axes(axis, f'{dataset} (published PSNR)',
                        f'median latency at {size} (ms)', f'{dataset} PSNR (dB)', log_y=False)
        add_legend(axis, result, records)
    save_figure(figure, path)
    return True


def write_benchmark_reports(result, out_dir, name='benchmark', command=None):
    """Write ``<name>.json``, ``<name>.md`` and the PNG plots into ``out_dir``.

    Returns:
        dict: Kind of output -> path written.
    """
    out_dir = Path(out_dir)
    paths = dict(json=out_dir / f'{name}.json', markdown=out_dir / f'{name}.md',
                 latency_vs_params=out_dir / f'{name}_latency_vs_params.png',
                 latency_vs_psnr=out_dir / f'{name}_latency_vs_psnr.png')
    write_json(paths['json'], {**result, 'command': command})
    with atomic_path(paths['markdown']) as tmp:
        tmp.write_text(markdown_report(result, command))
    plot_latency_vs_params(result, paths['latency_vs_params'])
    if not plot_latency_vs_psnr(result, paths['latency_vs_psnr']):
        del paths['latency_vs_psnr']
    return paths
