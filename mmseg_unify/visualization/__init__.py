# Copyright (c) mmseg-unify contributors. All rights reserved.
from .evidence_heatmap import draw_evidence_heatmap  # noqa: F401
from .palette import (IGNORED_NAME, LegendEntry, color_label, legend_entries,
                      unused_color)
from .legend import draw_legend
from .pseudo_label_pictures import PseudoLabelPictures
from .unify_visualizer import PanelColumn, UnifySegLocalVisualizer

__all__ = [
    'IGNORED_NAME', 'LegendEntry', 'PanelColumn', 'PseudoLabelPictures',
    'UnifySegLocalVisualizer',
    'color_label', 'draw_legend', 'legend_entries', 'unused_color'
]
