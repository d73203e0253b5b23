# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Bar charts of a pipeline's result table (``results.png``).

One panel per table: a bar per row (and per column group), the mean over
the seeds, an error bar of one sample standard deviation when there are
several seeds, and the value written on each bar. ``tools/demo.py`` and
``tools/unify_demo.py`` save them beside ``results.md``. Drawn on a
``Figure`` of its own with the Agg canvas (no pyplot, no display needed).
"""
import io
from typing import Dict, List, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mmseg_unify.utils.experiment import mean_std
from mmseg_unify.utils.label_io import write_bytes_atomic

COLORS = ('#4C72B0', '#DD8452', '#55A868', '#C44E52', '#8172B2', '#937860')
# one panel: (title, x label, {series: {row name: values per seed}})
Panel = Dict[str, object]


def draw_panel(ax, title: str, xlabel: str,
               series: Dict[str, Dict[str, List[float]]]) -> None:
    """Horizontal grouped bars of one table on ``ax``.

    Args:
        ax: A matplotlib axes.
        title (str): Panel title.
        xlabel (str): What the bars measure (e.g. ``'mIoU (%)'``).
        series (dict): Series name (legend entry, e.g. an evaluation set)
            -> row name -> values, one per seed.
    """
    rows = list(next(iter(series.values())))
    height = 0.8 / len(series)
    for k, (name, values) in enumerate(series.items()):
        stats = [mean_std(values[r]) for r in rows]
        ys = [i + (k - (len(series) - 1) / 2) * height
              for i in range(len(rows))]
        errors = [s for _, s in stats] if any(s for _, s in stats) else None
        bars = ax.barh(ys, [m for m, _ in stats], height=height * 0.9,
                       xerr=errors, capsize=3, label=name,
                       color=COLORS[k % len(COLORS)])
        for bar, (mean, std) in zip(bars, stats):
            text = f' {mean:.1f}' + (f' ± {std:.1f}' if std else '')
            ax.annotate(text, (bar.get_width() + std,
                               bar.get_y() + bar.get_height() / 2),
                        ha='left', va='center', fontsize=7)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    ax.invert_yaxis()  # first row on top, as in the table
    top = max(mean_std(v)[0] + mean_std(v)[1]
              for values in series.values() for v in values.values())
    ax.set_xlim(0, top * 1.25 or 1)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:  # beside the bars, never over them
        ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.0, 1.0))


def results_figure(panels: Sequence[Panel], title: str) -> Figure:
    """A figure with one :func:`draw_panel` per table.

    Args:
        panels (Sequence[dict]): ``title``, ``xlabel`` and ``series`` of
            each panel.
        title (str): Figure title (what ran, which seeds).

    Returns:
        Figure: The figure.
    """
    heights = [0.35 * len(next(iter(p['series'].values()))) *
               max(1, len(p['series'])**0.5) + 1.2 for p in panels]
    fig = Figure(figsize=(10, sum(heights) + 0.6), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(panels), 1, squeeze=False,
                        gridspec_kw=dict(height_ratios=heights))[:, 0]
    for ax, panel in zip(axes, panels):
        draw_panel(ax, panel['title'], panel['xlabel'], panel['series'])
    fig.suptitle(title, fontsize=11)
    return fig


def seeds_text(seeds: Sequence[int]) -> str:
    """``'seed 0'`` or ``'seeds 0, 1, 2'`` (for titles)."""
    return ('seed ' if len(seeds) == 1 else 'seeds ') + ', '.join(
        map(str, seeds))


def save_results_figure(panels: Sequence[Panel], title: str,
                        path: str) -> str:
    """Draw :func:`results_figure` and write it atomically as a PNG.

    Returns:
        str: ``path``.
    """
    buffer = io.BytesIO()
    results_figure(panels, title).savefig(buffer, format='png', dpi=110)
    write_bytes_atomic(path, buffer.getvalue())
    return path
