# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The pictures of a pseudo-labelling run: colour copies and panels.

Names and colours come from the ontology of the pseudo-labelling model: the
pseudo-label and the teacher's prediction in the source taxonomy, the extra
dataset's own label in its own taxonomy (raw ids). The drawing itself is
:class:`~.unify_visualizer.UnifySegLocalVisualizer`'s.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .palette import color_table, unused_color
from .unify_visualizer import UnifySegLocalVisualizer

VISUALIZER_NAME = 'pseudo_label_visualizer'


def _random_palette(ids: Sequence[int], seed: int) -> Dict[int, tuple]:
    """Fixed colours for a taxonomy that has none (names are the ids)."""
    rng = np.random.default_rng(seed)
    return {i: tuple(int(v) for v in rng.integers(0, 256, 3)) for i in ids}


def _taxonomy_tables(taxonomy, num: int, seed: int) -> Tuple[dict, dict]:
    """``(names, palette)`` by id of a taxonomy, or of ``num`` bare ids."""
    if taxonomy is None:
        ids = range(num)
        return {i: str(i) for i in ids}, _random_palette(ids, seed)
    return ({c.id: c.name for c in taxonomy.classes},
            {c.id: tuple(c.color) for c in taxonomy.classes})


class PseudoLabelPictures:
    """Colour copies and image | GT | prediction | pseudo-label panels.

    Args:
        model: The pseudo-labelling model (its ``ontology`` gives names and
            colours; without one, ids and fixed random colours are used).
        num_classes (int): Number of source classes.
        visualizer (UnifySegLocalVisualizer, optional): The runner's
            visualizer if it is one; else one is created.
    """

    def __init__(self,
                 model,
                 num_classes: int,
                 visualizer: Optional[UnifySegLocalVisualizer] = None):
        ontology = getattr(model, 'ontology', None)
        self.source = _taxonomy_tables(
            getattr(ontology, 'source', None), num_classes, 0)
        extra = getattr(ontology, 'extra', None)
        self.extra = _taxonomy_tables(extra, 256, 1)
        self.extra_name = getattr(extra, 'name', 'extra')
        self.extra_ignore = getattr(extra, 'ignore_index', 255)
        self.vis = visualizer if isinstance(
            visualizer, UnifySegLocalVisualizer) else \
            UnifySegLocalVisualizer.get_instance(VISUALIZER_NAME)
        self._ignore_color = unused_color(
            color_table(self.source[1], self.source[0]))

    def color_copy(self, label: np.ndarray, ignore_index: int) -> np.ndarray:
        """RGB colour copy of a pseudo-label (ignored pixels in a colour no
        source class uses)."""
        palette = color_table(self.source[1], self.source[0])
        return self.vis.color_label(label, palette, ignore_index,
                                    self._ignore_color)

    def panel(self, image_rgb: np.ndarray, sample, label: np.ndarray,
              ignore_index: int) -> np.ndarray:
        """The panel of one image, each column with its legend.

        Args:
            image_rgb (np.ndarray): The image, RGB.
            sample (SegDataSample): The model's output (``gt_sem_seg``: raw
                extra ids, ``unconstrained_sem_seg``: the teacher's argmax).
            label (np.ndarray): The pseudo-label as written.
            ignore_index (int): Its unlabelled value.

        Returns:
            np.ndarray: RGB panel.
        """
        source = dict(class_names=self.source[0], palette=self.source[1])
        columns = []
        if 'gt_sem_seg' in sample:
            columns.append(dict(
                title=f'GT ({self.extra_name} ids)',
                label=sample.gt_sem_seg.data[0].cpu().numpy(),
                class_names=self.extra[0], palette=self.extra[1],
                ignore_index=self.extra_ignore))
        if 'unconstrained_sem_seg' in sample:
            columns.append(dict(
                title='teacher prediction',
                label=sample.unconstrained_sem_seg.data[0].cpu().numpy(),
                **source))
        columns.append(dict(title='pseudo-label', label=label, **source))
        return self.vis.draw_panel(image_rgb, columns, ignore_index)
