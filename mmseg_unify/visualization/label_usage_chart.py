# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Bar chart of a LAD teacher's label usage (like LAD paper Fig. 4).

Left: per class (and over all classes) the share of the attribution that
comes from the image and from the label channel, stacked to 100 %. Right:
mIoU of the full prediction and of each ablation, with the share of pixels
whose class stays written beside each bar. Drawn with matplotlib's Agg
canvas on a ``Figure`` of its own (no pyplot, no global backend switch), so
it works on machines without a display and inside other programs.
"""
import io
import os.path as osp
from typing import Dict, Optional

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mmseg_unify.utils.label_io import write_bytes_atomic

IMAGE_COLOR = '#4C72B0'
LABEL_COLOR = '#DD8452'
ABLATION_NAMES = {
    'full': 'full: image + label',
    'label_zeroed': 'label zeroed',
    'label_other_image': "other image's label",
    'label_redrawn': 'label noise redrawn',
    'image_mean': 'image -> its mean',
}


def label_usage_figure(result: Dict, title: Optional[str] = None) -> Figure:
    """Draw a :func:`~mmseg_unify.evaluation.label_usage.label_usage`
    result.

    Args:
        result (dict): The result (``attribution``, ``ablation``,
            ``verdict``, ``images``, ``method``).
        title (str, optional): Figure title (e.g. the config name); the
            verdict is added below it.

    Returns:
        Figure: A figure with two axes.
    """
    att = result['attribution']
    rows = [r for r in att['per_class'] if r['label_share'] is not None]
    names = [r['name'] for r in rows] + ['all']
    label = [r['label_share'] for r in rows] + [att['label_share'] or 0.0]
    image = [1.0 - v for v in label]
    fig = Figure(figsize=(max(9.0, 0.5 * len(names) + 6.5), 5.0),
                 constrained_layout=True)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(
        1, 2, gridspec_kw=dict(width_ratios=[max(len(names), 4), 6]))
    xs = range(len(names))
    left.bar(xs, [100 * v for v in image], color=IMAGE_COLOR,
             label='RGB image (channels 0-2)')
    left.bar(xs, [100 * v for v in label], bottom=[100 * v for v in image],
             color=LABEL_COLOR, label='label channel (channel 3)')
    left.set_xticks(list(xs))
    left.set_xticklabels(names, rotation=45, ha='right')
    left.set_ylim(0, 100)
    left.set_ylabel('share of |attribution| (%)')
    left.set_xlabel('predicted class (all: every pixel)')
    left.set_title(f"Contribution per input ({result['method']})",
                   pad=24)
    left.axvline(len(names) - 1.5, color='grey', lw=0.8, ls=':')
    left.legend(loc='lower center', bbox_to_anchor=(0.5, 1.0), ncol=2,
                fontsize=8, frameon=False)

    abl = result['ablation']
    keys = [k for k in ABLATION_NAMES if k in abl][::-1]  # full on top
    colors = ['#55A868' if k == 'full' else '#8172B2' for k in keys]
    ys = range(len(keys))
    bars = right.barh(ys, [abl[k]['mIoU'] for k in keys], color=colors)
    for bar, key in zip(bars, keys):
        right.annotate(
            f" {abl[key]['mIoU']:.1f}, kept {abl[key]['agreement']:.1%}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            ha='left', va='center', fontsize=8)
    right.set_yticks(list(ys))
    right.set_yticklabels([ABLATION_NAMES[k] for k in keys], fontsize=8)
    right.set_xlabel('mIoU (%); "kept": pixels whose class stays')
    right.set_ylabel('input given to the teacher')
    right.set_xlim(0, max([abl[k]['mIoU'] for k in keys] + [1.0]) * 1.45)
    right.set_title('Ablation: one input changed', pad=24)
    full = [b for b, k in zip(bars, keys) if k == 'full']
    changed = [b for b, k in zip(bars, keys) if k != 'full']
    right.legend(handles=full[:1] + changed[:1],
                 labels=['full prediction', 'one input changed'][
                     :len(full[:1] + changed[:1])],
                 loc='lower center', bbox_to_anchor=(0.5, 1.0), ncol=2,
                 fontsize=8, frameon=False)
    head = f'{title}\n' if title else ''
    fig.suptitle(f"{head}Label usage on {result['images']} validation "
                 f"images: {result['verdict']}", fontsize=11)
    return fig


def save_label_usage_chart(result: Dict, out_file: str,
                           title: Optional[str] = None,
                           dpi: int = 120) -> str:
    """Draw the chart and write it to ``out_file`` (PNG, PDF, SVG, ...)
    atomically.

    Args:
        result (dict): See :func:`label_usage_figure`.
        out_file (str): Output file; its extension gives the format.
        title (str, optional): Figure title.
        dpi (int): Resolution of raster formats. Default: 120.

    Returns:
        str: ``out_file``.
    """
    fmt = osp.splitext(out_file)[1].lstrip('.').lower() or 'png'
    buf = io.BytesIO()
    label_usage_figure(result, title).savefig(buf, format=fmt, dpi=dpi)
    write_bytes_atomic(out_file, buf.getvalue())
    return out_file
