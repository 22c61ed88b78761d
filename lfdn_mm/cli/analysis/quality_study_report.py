"""Write a quality-study result as JSON, a Markdown report and a figure."""
from pathlib import Path

from ...utils import atomic_path, write_json
from .quality_study import DEMO_SET, VAL_SET, table6_check
from .report_utils import markdown_table, new_figure, save_figure


def fmt(value, spec):
    return '-' if value is None else format(value, spec)


def spread(stats, spec):
    """``mean ± std`` of a :func:`~lfdn_mm.cli.analysis.quality_study.mean_std` result."""
    return f"{stats['mean']:{spec}} ± {stats['std']:{spec}}"


def ranking_set(result):
    """The set the study ranks by: the first real test folder, else the validation photos."""
    folders = [name for name in result['datasets'] if name not in (VAL_SET, DEMO_SET)]
    return folders[0] if folders else VAL_SET


def summary_table(result):
    datasets = list(result['datasets'])
    headers = ['model', 'params (M)', 'GMACs / crop', 's / iter', 'iterations', 'seeds']
    headers += [f'{d} {m}' for d in datasets for m in ('PSNR', 'SSIM')]
    rows = [['input (no restoration)', '-', '-', '-', '-', '-',
             *(f"{result['input'][d][m]:{s}}" for d in datasets
               for m, s in (('PSNR', '.2f'), ('SSIM', '.4f')))]]
    ranked = sorted(result['summary'].items(), reverse=True,
                    key=lambda item: item[1]['metrics'][ranking_set(result)]['PSNR']['mean'])
    for name, row in ranked:
        rows.append([name, f"{row['params'] / 1e6:.3f}", f"{row['macs_per_crop'] / 1e9:.2f}",
                     fmt(row['seconds_per_iter'], '.3f'), f"{row['max_iters']:.0f}",
                     len(row['seeds']),
                     *(spread(row['metrics'][d][m], s) for d in datasets
                       for m, s in (('PSNR', '.2f'), ('SSIM', '.4f')))])
    return markdown_table(headers, rows)


def runs_table(result):
    datasets = list(result['datasets'])
    headers = ['model', 'seed', 'iterations', 'train s', 'final loss',
               *(f'{d} PSNR' for d in datasets)]
    rows = [[row['model'], row['seed'], row['max_iters'], f"{row['train_seconds']:.0f}",
             fmt(row['final_loss'], '.2e'),
             *(f"{row['metrics'][d]['PSNR']:.2f}" for d in datasets)]
            for row in result['rows']]
    return markdown_table(headers, rows)


def ordering_lines(result):
    lines = []
    for dataset in dict.fromkeys([ranking_set(result), VAL_SET]):
        for pair in table6_check(result['summary'], dataset):
            lines.append(f"- {dataset}: {pair['better']} > {pair['worse']}: "
                         f"{pair['difference']:+.2f} dB (standard error "
                         f"{pair['standard_error']:.2f}): {pair['verdict']}")
    return lines


def budget_line(result):
    settings = result['settings']
    budget = (f"{settings['max_iters']} iterations" if settings['max_iters'] else
              f"{settings['budget_seconds']:g} s of training (iterations from a "
              f"{settings['calibration_iters']}-iteration calibration per model)")
    return (f"Every run: {budget}, batch {settings['batch_size']}, "
            f"{settings['crop_size']}x{settings['crop_size']} crops, Adam lr "
            f"{settings['learning_rate']:g} cosine-annealed, gradient clipping at 1.0, bf16 "
            f"autocast: {settings['amp']}, the data and loss of "
            f"`{Path(settings['config']).name}`, seeds {settings['seeds']}; LFDN variants with "
            f"the global residual: {settings['global_residual']}. PSNR/SSIM: MMagic's "
            f"metrics on {settings['convert_to'] or 'RGB'}, mean ± std over seeds.\n")


def markdown_report(result, command=None):
    """The study as Markdown: budget, test sets, command, the tables and Table 6's order."""
    test_sets = ', '.join(f'{name} (`{root}`)' for name, root in result['datasets'].items())
    parts = ['# Equal-budget quality study\n', budget_line(result),
             f'Test sets: {test_sets}. Ranked by {ranking_set(result)} PSNR.\n',
             f"Total time {result['total_seconds'] / 60:.1f} min.\n"]
    if command:
        parts += ['```bash', command, '```', '']
    parts += [summary_table(result), "Table 6's ordering, pair by pair (resolved when the "
              'difference exceeds twice its standard error):\n', *ordering_lines(result), '',
              '## Every run\n', runs_table(result)]
    return '\n'.join(parts)


def plot_study(result, path):
    """Training loss of every run, and the ranking set's PSNR (mean ± std) per model."""
    figure, (losses, scores) = new_figure(2, panel_size=(5.5, 3.6))
    names = list(result['summary'])
    colours = {name: f'C{i}' for i, name in enumerate(names)}
    for row in result['rows']:
        if row['loss_curve']:
            steps, values = zip(*row['loss_curve'])
            label = row['model'] if row['seed'] == result['rows'][0]['seed'] else None
            losses.plot(steps, values, color=colours[row['model']], label=label, linewidth=0.8)
    losses.set(yscale='log', xlabel='iteration', ylabel='training loss',
               title='Equal-budget training')
    losses.grid(True, which='both', alpha=0.3)
    losses.legend(fontsize=6)
    dataset = ranking_set(result)
    stats = [result['summary'][name]['metrics'][dataset]['PSNR'] for name in names]
    scores.bar(range(len(names)), [s['mean'] for s in stats], yerr=[s['std'] for s in stats],
               color=[colours[name] for name in names], capsize=3)
    scores.axhline(result['input'][dataset]['PSNR'], color='k', linestyle='--',
                   linewidth=1, label='input')
    low = min(min(s['mean'] - s['std'] for s in stats), result['input'][dataset]['PSNR'])
    scores.set_ylim(low - 0.5)
    scores.set_xticks(range(len(names)), names, rotation=45, ha='right', fontsize=7)
    scores.set(ylabel=f'{dataset} PSNR (dB)', title='Mean ± std over seeds')
    scores.legend(fontsize=7)
    save_figure(figure, path)


def write_study_reports(result, out_dir, name='quality_study', command=None):
    """Write ``<name>.json``, ``<name>.md`` and ``<name>.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    paths = dict(json=out_dir / f'{name}.json', markdown=out_dir / f'{name}.md',
                 figure=out_dir / f'{name}.png')
    write_json(paths['json'], {**result, 'command': command})
    with atomic_path(paths['markdown']) as tmp:
        tmp.write_text(markdown_report(result, command))
    plot_study(result, paths['figure'])
    return paths
