# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Colour copies of label maps and titled panels with a legend.

Everything here draws into numpy arrays (RGB, uint8) and writes nothing; the
caller saves them (atomically). Text is drawn with OpenCV, so it works
headless and takes milliseconds per panel.
"""
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from mmseg_unify.utils.label_io import write_png_atomic
from .legend import draw_legend, title_bar
from .palette import (ClassNames, Color, Palette, checked_label, color_label,
                      color_table, legend_entries, unused_color)

_GAP = 4  # white gutter between columns (pixels)


@dataclass
class PanelColumn:
    """One colour-map column of :meth:`UnifySegLocalVisualizer.draw_panel`.

    Args:
        title (str): Column title.
        label (np.ndarray): H x W label ids.
        class_names (Sequence[str] | Mapping[int, str]): Names by id: a
            sequence (index = id) or a dict id -> name (sparse raw ids).
        palette (Sequence | Mapping): RGB colours: a dict id -> colour, or a
            sequence in the order of ``class_names`` (index = id for a
            sequence, the dict's key order for a dict).
        ignore_index (int, optional): Overrides the panel's ignore index.
    """
    title: str
    label: np.ndarray
    class_names: ClassNames
    palette: Palette
    ignore_index: Optional[int] = None


def _fit(array: np.ndarray, size: Tuple[int, int],
         smooth: bool) -> np.ndarray:
    """Scale to ``size`` (h, w): integer factors up by repetition, down by
    area averaging (``smooth``) or nearest neighbour (colour maps)."""
    h, w = array.shape[:2]
    if size[0] >= h and size[0] % h == 0 and size[1] == w * (size[0] // h):
        factor = size[0] // h
        return array.repeat(factor, 0).repeat(factor, 1)
    return cv2.resize(
        np.ascontiguousarray(array), size[::-1],
        interpolation=cv2.INTER_AREA if smooth else cv2.INTER_NEAREST)


def _as_column(column: Union[PanelColumn, Mapping]) -> PanelColumn:
    return column if isinstance(column, PanelColumn) else PanelColumn(
        **column)


@VISUALIZERS.register_module()
class UnifySegLocalVisualizer(SegLocalVisualizer):
    """``SegLocalVisualizer`` that also draws colour copies and panels.

    The panel: the RGB image titled ``'image'``, then one titled colour map
    per :class:`PanelColumn`, each with a legend of the classes present in
    its label. Ignored pixels (and ids without a colour) get one colour that
    no palette of the panel uses. :meth:`draw_panel` writes nothing: the
    caller saves the returned arrays (e.g. atomically).

    :meth:`add_datasample` (what MMSeg's ``SegVisualizationHook`` calls, e.g.
    for ``tools/test.py --show-dir``) draws such a panel, image | ground
    truth | prediction, with the dataset's class names and colours, instead
    of MMSeg's overlays without a legend.

    Args:
        name (str): Instance name (mmengine visualizers are singletons by
            name). Default: ``'visualizer'``.
        max_column_width (int): Wider images are scaled down to this column
            width. Default: 640.
        min_column_width (int): Narrower images are scaled up by the
            smallest integer factor that reaches it (nearest neighbour).
            Default: 256.
        **kwargs: ``SegLocalVisualizer`` arguments.
    """

    color_label = staticmethod(color_label)
    legend_entries = staticmethod(legend_entries)

    def __init__(self,
                 name: str = 'visualizer',
                 max_column_width: int = 640,
                 min_column_width: int = 256,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        if not 0 < min_column_width <= max_column_width:
            raise ValueError(f'need 0 < min_column_width ({min_column_width})'
                             f' <= max_column_width ({max_column_width})')
        self.max_column_width = max_column_width
        self.min_column_width = min_column_width

    def column_size(self, height: int, width: int) -> Tuple[int, int]:
        """Size (h, w) at which an image of ``height`` x ``width`` is drawn.

        Args:
            height (int): Image height.
            width (int): Image width.

        Returns:
            tuple[int, int]: Scaled height and width.
        """
        if width > self.max_column_width:
            scale = self.max_column_width / width
            return max(1, round(height * scale)), self.max_column_width
        factor = -(-self.min_column_width // width)
        return height * factor, width * factor

    def draw_panel(self,
                   image_rgb: np.ndarray,
                   columns: Sequence[Union[PanelColumn, Mapping]],
                   ignore_index: int = 255) -> np.ndarray:
        """Image and titled colour maps side by side, legends below.

        Args:
            image_rgb (np.ndarray): H x W x 3 RGB image, uint8.
            columns (Sequence[PanelColumn | dict]): Colour-map columns (dicts
                take :class:`PanelColumn`'s fields); labels are H x W.
            ignore_index (int): Ignored value of labels whose column sets no
                ``ignore_index``. Default: 255.

        Returns:
            np.ndarray: RGB uint8 panel of height ``24 + h + L`` and width
            ``(1 + len(columns)) * w + 4 * len(columns)``, where ``(h, w) =
            column_size(H, W)`` and ``L`` is the tallest legend (white
            gutters of 4 pixels between columns).
        """
        image = np.asarray(image_rgb)
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f'expected an H x W x 3 RGB image, got shape '
                             f'{image.shape}')
        columns = [_as_column(c) for c in columns]
        ignore_color = unused_color(*(color_table(c.palette, c.class_names)
                                      for c in columns))
        h, w = self.column_size(*image.shape[:2])
        tiles = [_fit(image.astype(np.uint8, copy=False), (h, w), True)]
        legends = [np.zeros((0, w, 3), np.uint8)]
        for col in columns:
            tile, legend = self._draw_column(col, image.shape[:2], (h, w),
                                             ignore_index, ignore_color)
            tiles.append(tile)
            legends.append(legend)
        legend_h = max(legend.shape[0] for legend in legends)
        parts = []
        for title, tile, legend in zip(['image'] + [c.title for c in columns],
                                       tiles, legends):
            pad = np.full((legend_h - legend.shape[0], w, 3), 255, np.uint8)
            parts.append(np.concatenate(
                [title_bar(title, w), tile, legend, pad], axis=0))
        gutter = np.full((parts[0].shape[0], _GAP, 3), 255, np.uint8)
        out = [parts[0]]
        for part in parts[1:]:
            out += [gutter, part]
        return np.concatenate(out, axis=1)

    def _draw_column(self, col: PanelColumn, shape: Tuple[int, int],
                     size: Tuple[int, int], ignore_index: int,
                     ignore_color: Color) -> Tuple[np.ndarray, np.ndarray]:
        """Scaled colour map and legend of one column."""
        label = checked_label(col.label)
        if label.shape != tuple(shape):
            raise ValueError(f'column {col.title!r}: label shape '
                             f'{label.shape} differs from the image '
                             f'{tuple(shape)}')
        ignore = ignore_index if col.ignore_index is None else \
            col.ignore_index
        palette = color_table(col.palette, col.class_names)
        colored = color_label(label, palette, ignore, ignore_color)
        tile = _fit(colored, size, False)
        entries = legend_entries(label, col.class_names, palette, ignore,
                                 ignore_color)
        return tile, draw_legend(entries, size[1])

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = True) -> None:
        """Draw image | ground truth | prediction as a panel with legends
        and save it to ``out_file`` (atomically) or the backends.

        Args and behaviour as ``SegLocalVisualizer.add_datasample``
        (``with_labels`` is ignored: the legend names the classes).
        """
        meta = self.dataset_meta or {}
        classes, palette = meta.get('classes'), meta.get('palette')
        if classes is None:
            raise ValueError(f'{type(self).__name__}: the dataset_meta has '
                             'no classes; set visualizer.dataset_meta')
        columns = []
        for key, title, wanted in (('gt_sem_seg', 'ground truth', draw_gt),
                                   ('pred_sem_seg', 'prediction', draw_pred)):
            if wanted and data_sample is not None and key in data_sample:
                label = data_sample.get(key).data[0].cpu().numpy()
                columns.append(PanelColumn(
                    title, label, list(classes),
                    palette or [[0, 0, 0]] * len(classes)))
        panel = self.draw_panel(image, columns)
        if show:
            self.show(panel, win_name=name, wait_time=wait_time)
        if out_file is not None:
            write_png_atomic(out_file, np.ascontiguousarray(panel[..., ::-1]))
        else:
            self.add_image(name, panel, step)
