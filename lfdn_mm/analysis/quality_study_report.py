"""Write a quality-study result as JSON, a Markdown table and a loss-curve plot."""
from pathlib import Path

from ..utils import atomic_path, write_json
from .report_utils import markdown_table, new_figure, save_figure


def fmt(value, spec):
    return '-' if value is None else format(value, spec)


def metric_cells(metrics, datasets):
    cells = []
    for dataset in datasets:
        scores = metrics.get(dataset, {})
        cells += [f"{scores['PSNR']:.2f}" if 'PSNR' in scores else '-',
                  f"{scores['SSIM']:.4f}" if 'SSIM' in scores else '-']
    return cells


def study_table(result):
    datasets = list(result['datasets'])
    headers = ['model', 'params (M)', 'GMACs / crop', 's / iter (median)', 'final loss']
    for dataset in datasets:
        headers += [f'{dataset} PSNR', f'{dataset} SSIM']
    rows = [['input (no restoration)', '-', '-', '-', '-',
             *metric_cells(result['input'], datasets)]]
    for row in result['rows']:
        rows.append([row['model'], f"{row['params'] / 1e6:.2f}",
                     f"{row['macs_per_crop'] / 1e9:.2f}", fmt(row['seconds_per_iter'], '.2f'),
                     fmt(row['final_loss'], '.2e'),
                     *metric_cells(row['metrics'], datasets)])
    return markdown_table(headers, rows)


def budget_line(settings):
    config = Path(settings['config']).name
    return (f"Every model: {settings['max_iters']} iterations, batch {settings['batch_size']}, "
            f"{settings['crop_size']}x{settings['crop_size']} crops, Adam lr "
            f"{settings['learning_rate']:g} (cosine), the loss of `{config}`, seed "
            f"{settings['seed']}; LFDN variants with global residual: "
            f"{settings['global_residual']}. PSNR/SSIM: MMagic's metrics on "
            f"{settings['convert_to'] or 'RGB'}.\n")


def markdown_report(result, command=None):
    """The study as Markdown: budget, test sets, command and the table."""
    test_sets = ', '.join(f'{name} (`{root}`)' for name, root in result['datasets'].items())
    parts = ['# Equal-budget quality study\n', budget_line(result['settings']),
             f'Test sets: {test_sets}.\n',
             f"Total time {result['total_seconds'] / 60:.1f} min.\n"]
    if command:
        parts += ['```bash', command, '```', '']
    parts.append(study_table(result))
    return '\n'.join(parts)


def plot_loss_curves(result, path):
    """Training loss (the logger's window mean) against iteration, all models on one plot."""
    figure, (axis,) = new_figure(1, panel_size=(5.5, 3.6))
    for row in result['rows']:
        if row['loss_curve']:
            steps, losses = zip(*row['loss_curve'])
            axis.plot(steps, losses, label=row['model'], linewidth=1)
    axis.set(yscale='log', xlabel='iteration', ylabel='training loss (MSE)',
             title='Equal-budget training')
    axis.grid(True, which='both', alpha=0.3)
    axis.legend(fontsize=6)
    save_figure(figure, path)


def write_study_reports(result, out_dir, name='quality_study', command=None):
    """Write ``<name>.json``, ``<name>.md`` and ``<name>_loss.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    paths = dict(json=out_dir / f'{name}.json', markdown=out_dir / f'{name}.md',
                 loss_curves=out_dir / f'{name}_loss.png')
    write_json(paths['json'], {**result, 'command': command})
    with atomic_path(paths['markdown']) as tmp:
        tmp.write_text(markdown_report(result, command))
    plot_loss_curves(result, paths['loss_curves'])
    return paths
