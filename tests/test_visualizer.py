# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Colour copies, legends and panels of UnifySegLocalVisualizer."""
import numpy as np
import pytest
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from mmseg_unify.visualization import (IGNORED_NAME, PanelColumn,
                                       UnifySegLocalVisualizer, color_label,
                                       legend_entries, unused_color)

NAMES = ['road', 'lane_marking', 'sidewalk', 'building', 'car']
PALETTE = [[128, 64, 128], [255, 255, 255], [244, 35, 232], [70, 70, 70],
           [0, 0, 142]]
# a sparse raw-id taxonomy whose void class is black
RAW_NAMES = {0: 'unlabeled', 7: 'road', 300: 'construction', 1000: 'vehicle'}
RAW_PALETTE = [[0, 0, 0], [128, 64, 128], [70, 70, 70], [0, 0, 142]]


def visualizer(name, **kwargs):
    return UnifySegLocalVisualizer(name=name, **kwargs)


def loop_colors(label, palette, ignore_index, ignore_color):
    """Independent reference: one pixel at a time."""
    out = np.zeros(label.shape + (3, ), np.uint8)
    for y in range(label.shape[0]):
        for x in range(label.shape[1]):
            i = int(label[y, x])
            known = i in palette if isinstance(palette, dict) else \
                i < len(palette)
            out[y, x] = palette[i] if known and i != ignore_index else \
                ignore_color
    return out


def test_color_label_equals_per_pixel_loop():
    rng = np.random.default_rng(0)
    label = rng.choice([0, 1, 2, 3, 4, 9, 255], size=(23, 31)).astype(
        np.uint8)
    ignore = unused_color(PALETTE)
    np.testing.assert_array_equal(
        color_label(label, PALETTE), loop_colors(label, PALETTE, 255, ignore))
    chosen = (10, 20, 30)
    np.testing.assert_array_equal(
        color_label(label, PALETTE, ignore_index=2, ignore_color=chosen),
        loop_colors(label, PALETTE, 2, chosen))


def test_uint16_ids_above_255_are_coloured():
    rng = np.random.default_rng(1)
    label = rng.choice([0, 7, 255, 300, 1000, 4242, 65535],
                       size=(17, 19)).astype(np.uint16)
    palette = {0: (0, 0, 0), 7: (128, 64, 128), 255: (1, 2, 3),
               300: (70, 70, 70), 1000: (0, 0, 142)}
    ignore = unused_color(palette)
    out = color_label(label, palette, ignore_index=65535)
    assert out.shape == (17, 19, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(
        out, loop_colors(label, palette, 65535, ignore))
    assert tuple(out[label == 255][0]) == (1, 2, 3)


def test_ignore_color_is_in_no_palette():
    for palette in (PALETTE, RAW_PALETTE, [[0, 0, 0], [255, 255, 255]],
                    [[0, 0, 0], [255, 255, 255], [255, 0, 255]]):
        color = unused_color(palette)
        assert list(color) not in [list(c) for c in palette]
        label = np.array([[0, 255]], np.uint8)
        drawn = [int(v) for v in color_label(label, palette)[0, 1]]
        assert drawn not in [list(c) for c in palette]
    # two palettes together (one panel): black and white are taken and
    # magenta is too close to sidewalk (244, 35, 232): cyan
    assert unused_color(PALETTE, RAW_PALETTE) == (0, 255, 255)
    assert np.abs(np.array(PALETTE + RAW_PALETTE) -
                  (0, 255, 255)).max(axis=1).min() >= 48
    # every colour tried before the full search is taken
    levels = range(0, 256, 51)
    crowded = [(0, 0, 0), (255, 255, 255), (255, 0, 255), (0, 255, 255),
               (255, 255, 0), (128, 128, 128)] + [
                   (r, g, b) for r in levels for g in levels for b in levels]
    color = unused_color(crowded)
    assert color not in set(crowded)
    assert color == unused_color(list(reversed(crowded)))


def test_legend_lists_exactly_the_present_classes():
    label = np.array([[0, 0, 3], [3, 255, 4]], np.uint8)
    entries = legend_entries(label, NAMES, PALETTE)
    ignore = unused_color(PALETTE)
    assert entries == [(0, 'road', (128, 64, 128)),
                       (3, 'building', (70, 70, 70)),
                       (4, 'car', (0, 0, 142)), (None, IGNORED_NAME, ignore)]
    # no ignored pixels: no ignore entry; an id without a class is named
    entries = legend_entries(np.array([[1, 1, 17]], np.uint8), NAMES, PALETTE)
    assert [e.id for e in entries] == [1, None]
    assert entries[1].name == 'unknown id 17' and entries[1].color == ignore
    # an id with a colour but no name is listed by its id, in its colour
    entries = legend_entries(np.array([[5]], np.uint8), NAMES,
                             PALETTE + [[1, 2, 3]])
    assert entries == [(5, 'id 5', (1, 2, 3))]


def test_ids_outside_16_bits_are_refused():
    with pytest.raises(ValueError, match='0..65535'):
        color_label(np.array([[70000]], np.int64), PALETTE)
    with pytest.raises(ValueError, match='0..65535'):
        legend_entries(np.array([[-1]], np.int64), NAMES, PALETTE)


def test_legend_of_sparse_raw_id_taxonomy():
    label = np.array([[0, 7, 7], [1000, 65535, 1000]], np.uint16)
    entries = legend_entries(label, RAW_NAMES, RAW_PALETTE,
                             ignore_index=65535)
    assert [(e.id, e.name) for e in entries] == [(0, 'unlabeled'),
                                                 (7, 'road'),
                                                 (1000, 'vehicle'),
                                                 (None, IGNORED_NAME)]
    assert entries[2].color == (0, 0, 142)


def test_panel_shape_and_colour_tiles():
    vis = visualizer('test_panel_shape')
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    label = rng.choice([0, 1, 3, 255], size=(40, 60)).astype(np.uint8)
    raw = rng.choice([0, 7, 300], size=(40, 60)).astype(np.uint16)
    panel = vis.draw_panel(image, [
        PanelColumn('pseudo-label', label, NAMES, PALETTE),
        dict(title='GT (extra)', label=raw, class_names=RAW_NAMES,
             palette=RAW_PALETTE)
    ])
    h, w = vis.column_size(40, 60)
    assert (h, w) == (200, 300)  # 60 px -> x5 to reach 256
    assert panel.dtype == np.uint8 and panel.shape[2] == 3
    assert panel.shape[1] == 3 * w + 2 * 4
    assert panel.shape[0] > 24 + h
    np.testing.assert_array_equal(panel[24:24 + h, :w],
                                  image.repeat(5, 0).repeat(5, 1))
    # one ignore colour for the panel, in neither palette
    tile = color_label(label, PALETTE, ignore_color=(0, 255, 255))
    np.testing.assert_array_equal(panel[24:24 + h, w + 4:2 * w + 4],
                                  tile.repeat(5, 0).repeat(5, 1))


def test_large_image_scaled_down_to_column_width():
    vis = visualizer('test_panel_large')
    assert vis.column_size(1208, 1920) == (403, 640)
    image = np.zeros((1208, 1920, 3), np.uint8)
    label = np.zeros((1208, 1920), np.uint8)
    panel = vis.draw_panel(image, [PanelColumn('x', label, NAMES, PALETTE)])
    assert panel.shape[1] == 2 * 640 + 4
    assert vis.column_size(300, 300) == (300, 300)


def test_legend_wraps_without_cutting_off():
    vis = visualizer('test_panel_wrap')
    names = [f'class number {i} with a rather long descriptive name'
             for i in range(40)]
    palette = [[5 * i, 100, 200] for i in range(40)]
    label = np.arange(40, dtype=np.uint8).reshape(5, 8)
    one = vis.draw_panel(np.zeros((5, 8, 3), np.uint8),
                         [PanelColumn('many', label, names, palette)])
    few = vis.draw_panel(np.zeros((5, 8, 3), np.uint8),
                         [PanelColumn('few', label * 0, names, palette)])
    assert one.shape[0] > few.shape[0] + 40 * 18  # 40 entries, wrapped
    legend = one[24 + 5 * 32:, 8 * 32 + 4:]
    assert (legend[:, -3:] == 255).all()  # nothing reaches the right edge
    assert (legend[-3:] == 255).all()  # nor the bottom


def test_panel_refuses_a_label_of_another_size():
    vis = visualizer('test_panel_size')
    with pytest.raises(ValueError, match="'pred'.*differs"):
        vis.draw_panel(np.zeros((4, 4, 3), np.uint8),
                       [PanelColumn('pred', np.zeros((4, 5), np.uint8),
                                    NAMES, PALETTE)])


def test_built_from_the_registry():
    vis = VISUALIZERS.build(
        dict(type='UnifySegLocalVisualizer', name='test_vis_registry',
             max_column_width=320))
    assert isinstance(vis, UnifySegLocalVisualizer)
    assert isinstance(vis, SegLocalVisualizer)
    assert vis.column_size(100, 1000) == (32, 320)
    assert UnifySegLocalVisualizer.get_instance('test_vis_registry') is vis
