"""Small helpers for the analysis reports: Markdown tables and compact PNG figures."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from ...utils import atomic_path  # noqa: E402

FIGURE_DPI = 100


def markdown_table(headers, rows, align=None):
    """A GitHub Markdown table.

    Args:
        headers (Sequence[str]): Column titles.
        rows (Iterable[Sequence]): Cells; each is written with ``str``.
        align (str, optional): One of ``'l'``/``'r'`` per column (default: first column left,
            the others right).

    Returns:
        str: The table, ending with a newline.
    """
    align = align or 'l' + 'r' * (len(headers) - 1)
    rule = ['---:' if a == 'r' else '---' for a in align]
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(rule) + '|']
    lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def new_figure(num_panels=1, panel_size=(4.2, 3.2)):
    """A row of ``num_panels`` axes, sized for a small PNG."""
    figure, axes = plt.subplots(1, num_panels, squeeze=False,
                                figsize=(panel_size[0] * num_panels, panel_size[1]))
    return figure, list(axes[0])


def save_figure(figure, path):
    """Write ``figure`` as a compact PNG (atomically) and close it."""
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=FIGURE_DPI, format='png')
    plt.close(figure)
