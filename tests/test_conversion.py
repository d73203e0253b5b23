# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The shared rules of the dataset converters
(``mmseg_unify/utils/conversion.py``, ``conversion_cli.py`` and
``conversion_summary.py``)."""
import json
import os
import os.path as osp
from argparse import Namespace
from types import SimpleNamespace

import numpy as np
import pytest

from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import (ConversionError, check_ids,
                                          check_output_root, colours_to_ids,
                                          id_counts, needs_writing,
                                          panoptic_ids)
from mmseg_unify.utils.conversion_summary import ConversionSummary
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


def test_summary_lists_every_error_and_counts_it_as_a_file():
    s = ConversionSummary('toy', 'toy_taxonomy')
    s.add(dict(status='validated', ids={'3': 2}, placed=1))
    s.add(dict(status='error', error='a.png: bad'))
    s.add(dict(status='error', error='b.png: worse'))
    data = s.as_dict()
    assert (data['files'], data['validated'], data['placed']) == (3, 1, 1)
    assert data['error_count'] == 2
    assert data['errors'] == ['a.png: bad', 'b.png: worse']
    assert '1 validated, 2 failed' in s.report()


def test_colour_lookup_gives_ids_or_ignore_and_names_unknown_colours():
    rgb = np.array([[[1, 2, 3], [9, 9, 9]], [[1, 2, 3], [4, 5, 6]]],
                   np.uint8)
    table = {(1, 2, 3): 7, (9, 9, 9): 300}
    with pytest.raises(ConversionError, match=r'f.png: colour RGB\(4, 5, '
                       r'6\) at pixel \(x=1, y=1\) .*#040506; 1 unknown'):
        colours_to_ids(rgb, table, 'f.png')
    ids = colours_to_ids(rgb, table, 'f.png', unknown_id=255)
    assert ids.dtype == np.uint16  # an id above 255 widens the map
    np.testing.assert_array_equal(ids, [[7, 300], [7, 255]])


def test_panoptic_segment_ids_are_decoded_from_rgb():
    # segment 1000 = RGB (232, 3, 0); 70000 = RGB (112, 17, 1); 0 unlabelled
    rgb = np.array([[[232, 3, 0], [112, 17, 1], [0, 0, 0]]], np.uint8)
    ids = panoptic_ids(rgb, {1000: 26, 70000: 23}, 'p.png', unlabelled=255)
    np.testing.assert_array_equal(ids, [[26, 23, 255]])
    with pytest.raises(ConversionError, match=r'p.png: segment id 70000 '
                       r'\(RGB\(112, 17, 1\)\) is not in the segments_info'):
        panoptic_ids(rgb, {1000: 26}, 'p.png', unlabelled=255)


def test_mirrored_pairs_by_image_and_by_label(tmp_path):
    for rel in ('img/a/x_i.jpg', 'img/a/y_i.png', 'lab/a/x_l.json',
                'lab/a/z_l.json'):
        os.makedirs(osp.dirname(tmp_path / rel), exist_ok=True)
        (tmp_path / rel).write_text('')
    img, lab = str(tmp_path / 'img'), str(tmp_path / 'lab')
    by_image = cli.mirrored_pairs(img, ('_i.jpg', '_i.png'), lab, '_l.json',
                                  '/o/img', '/o/lab', '_ids.png')
    assert [(p.image, p.label, p.out_image, p.out_label)
            for p in by_image] == [
        (f'{img}/a/x_i.jpg', f'{lab}/a/x_l.json', '/o/img/a/x_i.jpg',
         '/o/lab/a/x_ids.png'),
        (f'{img}/a/y_i.png', f'{lab}/a/y_l.json', '/o/img/a/y_i.png',
         '/o/lab/a/y_ids.png')]
    by_label = cli.mirrored_pairs(img, ('_i.png', '_i.jpg'), lab, '_l.json',
                                  by='label')
    assert [(p.image, p.out_label) for p in by_label] == [
        (f'{img}/a/x_i.jpg', None), (f'{img}/a/z_i.png', None)]


def _work(item):
    if item.startswith('bad'):
        return dict(status='error', error=f'{item}: broken')
    return dict(status='validated', ids={1: 4})


def test_run_tries_every_item_then_names_the_first_faults(tmp_path):
    tax = SimpleNamespace(name='toy', path='toy.yaml',
                          classes=[SimpleNamespace(id=1, name='road')])
    args = Namespace(src=str(tmp_path / 'src'), out=str(tmp_path / 'out'),
                     nproc=1)
    items = ['ok1', 'bad1', 'ok2', 'bad2', 'bad3', 'bad4']
    with pytest.raises(ConversionError) as e:
        cli.run('toy', tax, items, _work, args)
    assert str(e.value).startswith('toy: 4 of 6 labels at fault')
    assert 'first: bad1: broken | bad2: broken | bad3: broken' in str(e.value)
    assert 'bad4' not in str(e.value)
    with open(tmp_path / 'out' / 'toy_summary.json') as f:
        saved = json.load(f)
    assert saved['validated'] == 2 and saved['pixels_per_id'] == {'1': 8}
    assert saved['errors'][-1] == 'bad4: broken'
    assert cli.run('toy', tax, ['ok'], _work, args)['error_count'] == 0
    with pytest.raises(ConversionError, match='toy: no label files found'):
        cli.run('toy', tax, [], _work, args)
