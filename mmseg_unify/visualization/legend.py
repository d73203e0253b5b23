# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Text for the panels: column titles and legends (OpenCV fonts, headless)."""
import unicodedata
from typing import List, Sequence

import cv2
import numpy as np

from .palette import Color, LegendEntry

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_TITLE_H, _TITLE_SCALE = 24, 0.55
_TEXT_SCALE, _LINE_H, _SWATCH, _PAD = 0.45, 18, 12, 6
_BLACK, _FRAME = (0, 0, 0), (90, 90, 90)


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


def title_bar(title: str, width: int) -> np.ndarray:
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
