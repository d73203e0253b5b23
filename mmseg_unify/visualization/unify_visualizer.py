# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Colour copies of label maps and titled panels with a legend.

Everything here draws into numpy arrays (RGB, uint8) and writes nothing; the
caller saves them (atomically). Text is drawn with OpenCV, so it works
headless and takes milliseconds per panel.
"""
import unicodedata
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from .palette import (ClassNames, Color, LegendEntry, Palette, checked_label,
                      color_label, color_table, legend_entries, unused_color)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_TITLE_H, _TITLE_SCALE = 24, 0.55
_TEXT_SCALE, _LINE_H, _SWATCH, _PAD, _GAP = 0.45, 18, 12, 6, 4
_BLACK, _FRAME = (0, 0, 0), (90, 90, 90)


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


def _ascii(text: str) -> str:
    """OpenCV's fonts draw ASCII only: strip accents, '?' for the rest."""
    text = unicodedata.normalize('NFKD', str(text))
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return text.encode('ascii', 'replace').decode('ascii')


def _text_width(text: str, scale: float) -> int:
    return cv2.getTextSize(text, _FONT, scale, 1)[0][0]


def _wrap(text: str, width: int) -> List[str]:
    """Split ``text`` into lines no wider than ``width`` pixels."""
    lines, line = [], ''
    for char in text:
        if line and _text_width(line + char, _TEXT_SCALE) > width:
            cut = line.rfind(' ')
            if 0 < cut and char != ' ':
                lines.append(line[:cut])
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ''
            char = '' if char == ' ' and not line else char
        line += char
    return lines + [line] if line or not lines else lines


def _title_bar(title: str, width: int) -> np.ndarray:
    """A white bar with ``title`` in black, shrunk or cut to fit."""
    bar = np.full((_TITLE_H, width, 3), 255, np.uint8)
    text, scale = _ascii(title), _TITLE_SCALE
    while scale > 0.35 and _text_width(text, scale) > width - 4:
        scale -= 0.05
    while len(text) > 3 and _text_width(text, scale) > width - 4:
        text = text[:-3] + '..'
    cv2.putText(bar, text, (2, _TITLE_H - 7), _FONT, scale, _BLACK, 1,
                cv2.LINE_AA)
    return bar


def _draw_entry(canvas: np.ndarray, x: int, y: int, color: Color,
                lines: List[str]) -> None:
    """Swatch at (x, y) and the wrapped name next to it."""
    cv2.rectangle(canvas, (x, y + 2), (x + _SWATCH, y + 2 + _SWATCH),
                  tuple(int(c) for c in color), -1)
    cv2.rectangle(canvas, (x, y + 2), (x + _SWATCH, y + 2 + _SWATCH),
                  _FRAME, 1)
    for k, line in enumerate(lines):
        cv2.putText(canvas, line, (x + _SWATCH + _PAD, y + 13 + k * _LINE_H),
                    _FONT, _TEXT_SCALE, _BLACK, 1, cv2.LINE_AA)


def _rows_that_fit(widths: List[int], room: int) -> int:
    """Fewest rows such that columns filled top-down fit into ``room``."""
    for rows in range(1, len(widths)):
        columns = [widths[i:i + rows] for i in range(0, len(widths), rows)]
        if sum(max(c) for c in columns) <= room:
            return rows
    return max(len(widths), 1)


def draw_legend(entries: Sequence[LegendEntry], width: int) -> np.ndarray:
    """Legend entries in as many columns as fit, long names wrapped.

    Args:
        entries (Sequence[LegendEntry]): What to list, read top-down, then
            left to right.
        width (int): Width of the legend in pixels.

    Returns:
        np.ndarray: H x width x 3 RGB (white background; H is 0 without
        entries).
    """
    if not entries:
        return np.full((0, width, 3), 255, np.uint8)
    text_w = max(width - _SWATCH - 4 * _PAD, 8)
    wrapped = [_wrap(_ascii(e.name), text_w) for e in entries]
    cells = [
        _SWATCH + 3 * _PAD + max(_text_width(t, _TEXT_SCALE) for t in lines)
        for lines in wrapped
    ]
    rows = _rows_that_fit(cells, width - _PAD)
    heights = [
        max(len(wrapped[i]) for i in range(r, len(entries), rows)) * _LINE_H
        for r in range(rows)
    ]
    tops = np.cumsum([_PAD] + heights)
    canvas = np.full((int(tops[-1]) + _PAD, width, 3), 255, np.uint8)
    x = _PAD
    for start in range(0, len(entries), rows):
        column = range(start, min(start + rows, len(entries)))
        for r, i in enumerate(column):
            _draw_entry(canvas, x, int(tops[r]), entries[i].color, wrapped[i])
        x += max(cells[i] for i in column)
    return canvas


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
    no palette of the panel uses. Nothing is written: the caller saves the
    returned arrays (e.g. atomically) or passes them to ``add_image``.

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
                [_title_bar(title, w), tile, legend, pad], axis=0))
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
