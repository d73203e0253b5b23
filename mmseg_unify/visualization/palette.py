# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label maps to colours, and the legend of the classes a map contains.

Plain numpy (vectorised with lookup tables); used by
:class:`~mmseg_unify.visualization.UnifySegLocalVisualizer`.
"""
from typing import (Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple,
                    Union)

import numpy as np

Color = Tuple[int, int, int]
ClassNames = Union[Sequence[str], Mapping[int, str]]
Palette = Union[Sequence[Sequence[int]], Mapping[int, Sequence[int]]]

IGNORED_NAME = 'ignored / unlabelled'
# colours tried first for "no class", then a coarse grid
_FIRST_CHOICES = ((0, 0, 0), (255, 255, 255), (255, 0, 255), (0, 255, 255),
                  (255, 255, 0), (128, 128, 128))
# wanted distance (largest R, G or B difference) of that colour to any other
DISTINCT_DISTANCE = 48
MAX_ID = 65535  # 16-bit label files


class LegendEntry(NamedTuple):
    """One legend line: ``id`` is None for ignored / unknown pixels."""
    id: Optional[int]
    name: str
    color: Color


def color_table(palette: Palette,
                class_names: Optional[ClassNames] = None) -> Dict[int, Color]:
    """Palette as a dict id -> RGB tuple (see :func:`legend_entries`)."""
    if isinstance(palette, Mapping):
        items = palette.items()
    elif isinstance(class_names, Mapping):
        if len(palette) != len(class_names):
            raise ValueError(f'{len(palette)} palette colours for '
                             f'{len(class_names)} classes')
        items = zip(class_names, palette)
    else:
        items = enumerate(palette)
    return {int(i): tuple(int(v) for v in c) for i, c in items}


def name_table(class_names: ClassNames) -> Dict[int, str]:
    """Class names as a dict id -> name."""
    if isinstance(class_names, Mapping):
        return {int(i): str(n) for i, n in class_names.items()}
    return {i: str(n) for i, n in enumerate(class_names)}


def _candidates() -> np.ndarray:
    """Black, white, magenta, cyan, yellow, grey, then a 6-level grid."""
    levels = range(0, 256, 51)
    grid = [(r, g, b) for r in levels for g in levels for b in levels]
    return np.array(list(_FIRST_CHOICES) + grid, np.int64)


def unused_color(*palettes: Palette) -> Color:
    """A colour that no entry of any of the palettes uses (deterministic).

    Args:
        *palettes: Palettes (sequences or dicts id -> RGB).

    Returns:
        tuple[int, int, int]: The first candidate (black, white, magenta,
        cyan, yellow, grey, then a 6-level grid) at least
        ``DISTINCT_DISTANCE`` (largest channel difference) from every
        palette colour, else the candidate farthest from them, else the
        first unused of all colours.
    """
    used = set()
    for palette in palettes:
        used.update(color_table(palette).values())
    cands = _candidates()
    if not used:
        return tuple(int(v) for v in cands[0])
    used_arr = np.array(sorted(used), np.int64)
    dist = np.array([np.abs(used_arr - c).max(axis=1).min() for c in cands])
    far = dist >= DISTINCT_DISTANCE
    pick = int(np.argmax(far)) if far.any() else int(np.argmax(dist))
    if dist[pick] > 0:
        return tuple(int(v) for v in cands[pick])
    taken = np.zeros(1 << 24, bool)
    taken[(used_arr[:, 0] << 16) | (used_arr[:, 1] << 8) | used_arr[:, 2]] \
        = True
    code = int(np.argmin(taken))
    return (code >> 16, (code >> 8) & 255, code & 255)


def checked_label(label: np.ndarray) -> np.ndarray:
    """``label`` as an array; anything but H x W ids 0..MAX_ID is an error."""
    label = np.asarray(label)
    if label.ndim != 2 or not np.issubdtype(label.dtype, np.integer):
        raise ValueError(f'expected an H x W integer label map, got '
                         f'{label.dtype} of shape {label.shape}')
    if label.size and not 0 <= label.min() <= label.max() <= MAX_ID:
        raise ValueError(f'label ids must lie in 0..{MAX_ID}, got '
                         f'{label.min()}..{label.max()}')
    return label


def color_label(label: np.ndarray,
                palette: Palette,
                ignore_index: int = 255,
                ignore_color: Optional[Color] = None) -> np.ndarray:
    """Colour a label map with a lookup table.

    Args:
        label (np.ndarray): H x W ids in 0..65535 (e.g. uint8, uint16).
        palette (Sequence | Mapping): RGB per id: a sequence (index = id) or
            a dict id -> colour.
        ignore_index (int): Pixels of this value get ``ignore_color`` (also
            when the palette has an entry for it). Default: 255.
        ignore_color (tuple, optional): Colour of ignored pixels and of ids
            without a palette entry. Default: :func:`unused_color`.

    Returns:
        np.ndarray: H x W x 3 RGB, uint8.
    """
    label = checked_label(label)
    table = color_table(palette)
    if ignore_color is None:
        ignore_color = unused_color(table)
    size = int(label.max()) + 1 if label.size else 1
    lut = np.empty((size, 3), np.uint8)
    lut[:] = ignore_color
    ids = np.fromiter(table, np.int64, len(table))
    keep = ids < size
    if keep.any():
        lut[ids[keep]] = np.array(list(table.values()), np.uint8)[keep]
    if 0 <= ignore_index < size:
        lut[ignore_index] = ignore_color
    return lut[label]


def legend_entries(label: np.ndarray,
                   class_names: ClassNames,
                   palette: Palette,
                   ignore_index: int = 255,
                   ignore_color: Optional[Color] = None) -> List[LegendEntry]:
    """The legend of the classes present in a label map.

    Args:
        label (np.ndarray): H x W ids in 0..65535.
        class_names (Sequence[str] | Mapping[int, str]): Names by id: a
            sequence (index = id) or a dict id -> name (sparse raw ids).
        palette (Sequence | Mapping): RGB colours: a dict id -> colour, or a
            sequence in the order of ``class_names`` (index = id for a
            sequence, the dict's key order for a dict).
        ignore_index (int): Value of ignored pixels. Default: 255.
        ignore_color (tuple, optional): Their colour (as in
            :func:`color_label`). Default: :func:`unused_color`.

    Returns:
        list[LegendEntry]: Present ids with a colour, by id (named
        ``'id N'`` if ``class_names`` lacks them), then
        ``'ignored / unlabelled'`` if ``ignore_index`` occurs, then one
        ``'unknown id ...'`` entry for ids without a colour (drawn, like
        ignored pixels, in the ignore colour).
    """
    label = checked_label(label)
    names = name_table(class_names)
    colors = color_table(palette, class_names)
    if ignore_color is None:
        ignore_color = unused_color(colors)
    present = np.flatnonzero(np.bincount(label.ravel())) if label.size \
        else []
    entries, unknown, ignored = [], [], False
    for i in (int(i) for i in present):
        if i == ignore_index:
            ignored = True
        elif i in colors:
            entries.append(LegendEntry(i, names.get(i, f'id {i}'), colors[i]))
        else:
            unknown.append(str(i))
    if ignored:
        entries.append(LegendEntry(None, IGNORED_NAME, ignore_color))
    if unknown:
        ids = ', '.join(unknown[:4]) + (', ...' if len(unknown) > 4 else '')
        entries.append(LegendEntry(None, f'unknown id {ids}', ignore_color))
    return entries
