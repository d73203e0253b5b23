# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The heat map of an ontology evidence table (extra labels x source classes).

Drawn with matplotlib's object API on an Agg canvas (no pyplot state, no
display needed): one row per extra label, named with its id and pixels, one
column per source class, the colour the share of the row's pixels that the
teacher predicts as that class (square-root scale so that a few per cent
stay visible), the share printed in every cell above 0.5 %, a colour bar,
and, given a map, the cells it allows outlined.
"""
from typing import Optional, Sequence

import numpy as np

ALLOWED_EDGE = '#ff3b30'  # outline of allowed cells: no viridis colour


def _row_labels(names: Sequence[str], ids: Sequence[int],
                pixels: Sequence[int],
                low_confidence: Optional[Sequence[float]]) -> list:
    """``'road (7)  41.2k px, 3% unsure'`` per row."""
    labels = []
    for r, (name, g, n) in enumerate(zip(names, ids, pixels)):
        size = f'{n / 1000:.1f}k px' if n >= 1000 else f'{n} px'
        text = f'{name} ({g})  {size}'
        if low_confidence is not None and n:
            text += f', {100 * low_confidence[r]:.0f}% unsure'
        labels.append(text)
    return labels


def draw_evidence_heatmap(shares: np.ndarray,
                          extra_names: Sequence[str],
                          extra_ids: Sequence[int],
                          source_names: Sequence[str],
                          pixels: Sequence[int],
                          title: str = '',
                          allowed: Optional[np.ndarray] = None,
                          low_confidence: Optional[Sequence[float]] = None,
                          row_title: str = 'extra dataset label (raw id)',
                          dpi: int = 100) -> np.ndarray:
    """Draw the evidence heat map.

    Args:
        shares (np.ndarray): ``G x C`` share of each extra label's pixels
            per predicted source class (rows summing to 1 or 0).
        extra_names (Sequence[str]): Row names.
        extra_ids (Sequence[int]): Raw id of each row.
        source_names (Sequence[str]): Column names.
        pixels (Sequence[int]): Pixels of each row in the sample.
        title (str): Figure title.
        allowed (np.ndarray, optional): ``G x C`` bool; ``True`` cells are
            outlined (the map under audit).
        low_confidence (Sequence[float], optional): Per row, the share of
            pixels below the confidence threshold (shown in the row name).
        row_title (str): Title of the row axis.
        dpi (int): Resolution. Default: 100.

    Returns:
        np.ndarray: ``H x W x 3`` uint8 RGB picture.

    Raises:
        ValueError: If the names do not match the table's shape.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import PowerNorm
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    shares = np.asarray(shares, dtype=float)
    rows, cols = shares.shape
    if (len(extra_names), len(extra_ids), len(pixels)) != (rows, ) * 3 or \
            len(source_names) != cols:
        raise ValueError(
            f'draw_evidence_heatmap: table of shape {shares.shape} but '
            f'{len(extra_names)} row names, {len(extra_ids)} ids, '
            f'{len(pixels)} pixel counts and {len(source_names)} columns')
    fig = Figure(figsize=(3.2 + 0.62 * cols, 1.9 + 0.42 * rows), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(shares, cmap='viridis', aspect='auto',
                      norm=PowerNorm(gamma=0.5, vmin=0.0, vmax=1.0),
                      interpolation='nearest')
    for r in range(rows):
        for c in range(cols):
            value = shares[r, c]
            if value >= 0.005:
                text = f'{100 * value:.0f}' if value >= 0.095 else \
                    f'{100 * value:.1f}'
                ax.text(c, r, text, ha='center', va='center', fontsize=7,
                        color='black' if value > 0.45 else 'white')
            if allowed is not None and allowed[r, c]:
                ax.add_patch(Rectangle((c - 0.45, r - 0.45), 0.9, 0.9,
                                       fill=False, lw=1.8,
                                       edgecolor=ALLOWED_EDGE))
    ax.set_xticks(range(cols))
    ax.set_xticklabels(source_names, rotation=45, ha='right', fontsize=8)
    ax.set_yticks(range(rows))
    ax.set_yticklabels(
        _row_labels(extra_names, extra_ids, pixels, low_confidence),
        fontsize=8)
    ax.set_xlabel('source class predicted by the teacher (TTA argmax, '
                  'unconstrained)', fontsize=8)
    ax.set_ylabel(row_title, fontsize=8)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    ticks = [0, 0.01, 0.05, 0.2, 0.5, 1.0]
    bar.set_ticks(ticks)
    bar.set_ticklabels([f'{100 * t:g}%' for t in ticks])
    bar.set_label("share of the label's pixels (numbers: %)", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    note = '  |  red outline: allowed by the map' if allowed is not None \
        else ''
    ax.set_title((title + note).strip(' |'), fontsize=9)
    fig.tight_layout()
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[..., :3])
