"""Benchmark results as Markdown tables and compact PNG plots."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from ...utils import atomic_path, write_json  # noqa: E402

PSNR_DATASETS = ('GoPro', 'Rain100L')  #: published PSNRs shown (the paper's Fig. 1 uses GoPro)
MARKERS = {'contiguous': 'o', 'channels_last': 's'}
RESULT_HEADERS = ['model', 'params (M)', 'GMACs', 'dtype', 'format', 'median', 'IQR', 'min-max',
                  'runs', 'img/s', 'mem. growth (MB)', 'peak (MB)', 'status']
COMPARISON_HEADERS = ['size', 'dtype', 'format', 'model', 'MAC ratio', 'latency ratio',
                      'efficiency', 'min ratio', 'min efficiency']


def markdown_table(headers, rows, align=None):
    """A GitHub Markdown table; ``align`` is ``'l'``/``'r'`` per column (default: the first
    column left, the others right)."""
    align = align or 'l' + 'r' * (len(headers) - 1)
    lines = ['| ' + ' | '.join(headers) + ' |',
             '|' + '|'.join('---:' if a == 'r' else '---' for a in align) + '|']
    lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def save_figure(figure, path):
    """Write ``figure`` as a compact PNG (atomically) and close it."""
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=100, format='png')
    plt.close(figure)


def fmt(value, digits=1):
    return '-' if value is None else f'{value:,.{digits}f}'


def result_row(record, info):
    latency = record['latency_ms'] or {}
    return [record['model'], fmt(info['params'] / 1e6, 2),
            fmt(info['macs'][record['size']] / 1e9, 2), record['dtype'],
            record['memory_format'], fmt(latency.get('median')), fmt(latency.get('iqr')),
            f"{fmt(latency.get('min'))}-{fmt(latency.get('max'))}" if latency else '-',
            latency.get('repeats', '-'), fmt(record['throughput_ips'], 2),
            fmt(record['memory_growth_mb'], 0), fmt(record['peak_memory_mb'], 0), record['status']]


def markdown_report(result, command=None):
    """The whole benchmark as Markdown: machine, one table per size, published PSNRs, ratios
    to the reference and what was skipped."""
    machine, settings, models = result['machine'], result['settings'], result['models']
    gpu = f", GPU: {machine['gpu']} (CUDA {machine['cuda']})" if 'gpu' in machine else ''
    parts = ['# Inference benchmark\n',
             f"- CPU: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, torch threads: "
             f"{machine['torch_threads']}{gpu}",
             f"- torch {machine['torch']}, Python {machine['python']}, {machine['platform']}",
             f"- load average (1, 5, 15 min) at start {machine['load_average']}, at end "
             f"{machine.get('load_average_after')}",
             f"- device {settings['device']}, batch {settings['batch_size']}, warm-up "
             f"{settings['warmup']}, up to {settings['repeats']} timed passes within "
             f"{settings['time_budget']:.0f} s per model and size, torch.compile: "
             f"{settings['compile']}\n"]
    if command:
        parts += ['```bash', command, '```\n']
    methods = sorted({r['memory_method'] for r in result['results'] if r['memory_method']})
    parts.append('Latency per pass in ms (median, interquartile range, min-max over the timed '
                 "passes); MACs counted by torch's FlopCounterMode; memory: "
                 + ('; '.join(methods) or 'not measured') + '.\n')
    for size in settings['sizes']:
        rows = [result_row(r, models[r['model']])
                for r in result['results'] if r['size'] == size]
        parts += [f'## {size} (width x height)\n',
                  markdown_table(RESULT_HEADERS, rows, align='lrrllrrrrrrrl')]
    parts += ['## Published PSNR (dB)\n', markdown_table(
        ['model', *PSNR_DATASETS], [[name, *(fmt(info['published_psnr'].get(d), 2)
                                             for d in PSNR_DATASETS)]
                                    for name, info in models.items()])]
    if result['comparisons']:
        parts += [f"## Against {result['comparisons'][0]['reference']}\n",
                  'MAC ratio = model MACs / reference MACs; latency ratio likewise (of medians, '
                  'and of minima: the passes least disturbed by other load); efficiency = '
                  'latency ratio / MAC ratio (1: the MAC advantage is fully turned into speed).\n',
                  markdown_table(COMPARISON_HEADERS, ([
                      c['size'], c['dtype'], c['memory_format'], c['model'],
                      *(fmt(c[k], 2) for k in ('mac_ratio', 'latency_ratio', 'efficiency',
                                               'min_latency_ratio', 'min_efficiency'))]
                      for c in result['comparisons']), align='llllrrrrr')]
    skipped = [r for r in result['results'] if r['status'] == 'skipped']
    if skipped:
        parts += ['## Skipped\n', markdown_table(['model', 'dtype', 'format', 'size', 'reason'], [
            [r['model'], r['dtype'], r['memory_format'], r['size'], r['skip_reason']]
            for r in skipped], align='lllll')]
    return '\n'.join(parts)


def scatter_panels(panels, path, xlabel, ylabel, log_y=True):
    """One log-x panel per ``(title, points)``, ``points`` being ``(model, x, y, format)``:
    a colour per model, a marker per memory format."""
    figure, axes = plt.subplots(1, len(panels), squeeze=False,
                                figsize=(4.2 * len(panels), 3.2))
    colours = dict(zip(dict.fromkeys(p[0] for _, points in panels for p in points),
                       plt.rcParams['axes.prop_cycle'].by_key()['color'] * 4))
    for axis, (title, points) in zip(axes[0], panels):
        for index, (model, x, y, memory_format) in enumerate(points):
            axis.scatter(x, y, marker=MARKERS[memory_format], s=22, color=colours[model],
                         label=memory_format if index < len(MARKERS) else None)
            if model not in (p[0] for p in points[:index]):
                axis.annotate(model, (x, y), fontsize=6, xytext=(3, 2),
                              textcoords='offset points')
        axis.set_xscale('log')
        axis.set_yscale('log' if log_y else 'linear')
        axis.set(title=title, xlabel=xlabel, ylabel=ylabel)
        axis.grid(True, which='both', alpha=0.3)
        for scale_axis in (axis.xaxis, axis.yaxis):
            scale_axis.set_minor_formatter(NullFormatter())
        if len({p[3] for p in points}) > 1:
            axis.legend(fontsize=6)
    save_figure(figure, path)


def write_benchmark_reports(result, out_dir, name='benchmark', command=None):
    """Write ``<name>.json``, ``<name>.md``, ``<name>_latency_vs_params.png`` and, where two
    or more models have a published PSNR, ``<name>_latency_vs_psnr.png`` into ``out_dir``."""
    paths = {kind: f'{out_dir}/{name}{suffix}' for kind, suffix in (
        ('json', '.json'), ('markdown', '.md'), ('latency_vs_params', '_latency_vs_params.png'),
        ('latency_vs_psnr', '_latency_vs_psnr.png'))}
    write_json(paths['json'], {**result, 'command': command})
    with atomic_path(paths['markdown']) as tmp:
        tmp.write_text(markdown_report(result, command))
    models, measured = result['models'], [r for r in result['results'] if r['status'] == 'ok']
    scatter_panels([(f"{size}, {result['settings']['device']}", [
        (r['model'], models[r['model']]['params'] / 1e6, r['latency_ms']['median'],
         r['memory_format']) for r in measured if r['size'] == size])
        for size in result['settings']['sizes']], paths['latency_vs_params'],
        'parameters (M)', 'median latency (ms)')
    psnr_panels = [max(([f'{dataset} (published), {size}', [
        (r['model'], r['latency_ms']['median'], models[r['model']]['published_psnr'][dataset],
         r['memory_format']) for r in measured
        if r['size'] == size and dataset in models[r['model']]['published_psnr']]]
        for size in result['settings']['sizes'][::-1]), key=lambda panel: len(panel[1]))
        for dataset in PSNR_DATASETS]
    psnr_panels = [panel for panel in psnr_panels if len(panel[1]) >= 2]
    if psnr_panels:
        scatter_panels(psnr_panels, paths['latency_vs_psnr'], 'median latency (ms)', 'PSNR (dB)',
                       log_y=False)
    else:
        del paths['latency_vs_psnr']
    return paths
