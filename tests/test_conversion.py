# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The shared rules of the dataset converters."""
import os

import numpy as np
import pytest

from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_ids, check_output_root,
                                          id_counts, needs_writing)
from mmseg_unify.utils.label_io import write_png_atomic


def test_output_root_may_not_touch_the_source(tmp_path):
    src = tmp_path / 'a2d2'
    src.mkdir()
    for out in (src, src / 'labels', tmp_path):
        with pytest.raises(ValueError, match='--out'):
            check_output_root(str(out), str(src))
    check_output_root(str(tmp_path / 'a2d2_converted'), str(src))


def test_needs_writing_keeps_only_valid_outputs(tmp_path):
    path = str(tmp_path / 'x.png')
    assert needs_writing(path)
    write_png_atomic(path, np.zeros((2, 2), np.uint8))
    assert not needs_writing(path) and needs_writing(path, force=True)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG truncated')
    assert needs_writing(path)


def test_id_checks_name_file_and_ids():
    label = np.array([[0, 3], [255, 7]], np.uint8)
    assert id_counts(label) == {0: 1, 3: 1, 7: 1, 255: 1}
    check_ids(label, [0, 3, 7], 'f.png', ignore_index=255)
    with pytest.raises(ConversionError, match=r'f.png: label ids \[7, 255\]'):
        check_ids(label, [0, 3], 'f.png')


def test_summary_counts_and_report(tmp_path):
    s = ConversionSummary('toy', 'toy_taxonomy')
    s.add(dict(status='written', ids={1: 3, 2: 1}))
    s.add(dict(status='kept', ids={1: 4}))
    s.add(None)
    assert (s.written, s.kept, s.validated) == (1, 1, 0)
    assert s.pixels_per_id == {1: 7, 2: 1}
    text = s.report({1: 'road', 2: 'car'})
    assert 'toy -> toy_taxonomy: 1 written, 1 kept' in text
    assert '87.50 %' in text and 'car' in text
    s.save(str(tmp_path / 's.json'))
    assert os.path.isfile(tmp_path / 's.json')


def test_read_label_takes_palette_indices_and_refuses_colour(tmp_path):
    from PIL import Image

    from mmseg_unify.utils.label_io import read_label
    ids = np.array([[0, 5], [65, 5]], np.uint8)
    img = Image.fromarray(ids, mode='P')
    img.putpalette([v for i in range(256) for v in (i, 255 - i, 7)])
    img.save(tmp_path / 'p.png')
    np.testing.assert_array_equal(read_label(str(tmp_path / 'p.png')), ids)
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / 'c.png')
    with pytest.raises(ValueError, match='c.png: expected a single-channel'):
        read_label(str(tmp_path / 'c.png'))
