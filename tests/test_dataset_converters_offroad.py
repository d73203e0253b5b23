# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Converters and validators of GOOSE, Cityscapes labelIds, road-lane,
RELLIS-3D, YCOR, TAS500, Freiburg Forest, RUGD and WildDash 2.

Every fixture (``native_fixtures.py``) is a few tiny images in the
dataset's *native* on-disk format; expected ids are written out by hand for
every pixel (from the dataset's colour table or segment list), and every
format has an error case whose message must name the file and the value at
fault.
"""
import json
import os
import os.path as osp

import numpy as np
import pytest

from helpers import load_tool
from mmseg_unify.utils.conversion import ConversionError
from mmseg_unify.utils.label_io import read_label
from native_fixtures import CITY, FRAME, GOOSE, RELLIS_IMG
from native_fixtures import make_cityscapes as cityscapes
from native_fixtures import make_freiburg_forest as freiburg_forest
from native_fixtures import make_goose as goose
from native_fixtures import make_rellis3d as rellis3d
from native_fixtures import make_road_lane as road_lane
from native_fixtures import make_rugd as rugd
from native_fixtures import make_tas500 as tas500
from native_fixtures import make_wilddash as wilddash
from native_fixtures import make_yamaha as yamaha
from native_fixtures import snapshot, write_ids, write_image


def tool(name):
    return load_tool(f'dataset_converters/{name}')


def convert(name, src, out, *extra):
    return tool(name).main([str(src), '--out', str(out), *extra])


# ------------------------------------------------------------ validators
@pytest.mark.parametrize('name,make,counts', [
    # 23 asphalt, 12 car, 53 sky
    ('goose', goose, {'12': 1, '23': 2, '53': 3}),
    # void ids (0 unlabeled) and 255 are accepted
    ('cityscapes', cityscapes, {'0': 1, '7': 1, '26': 1, '33': 2, '255': 1}),
    # 255 is the class puddle, 16 sky
    ('tas500', tas500, {'16': 4, '255': 2}),
    ('rellis3d', rellis3d, {'3': 1, '4': 1, '7': 4}),
])
def test_id_labels_are_validated_and_counted(tmp_path, name, make, counts):
    make(tmp_path / 'src')
    before = snapshot(tmp_path / 'src')
    data = convert(name, tmp_path / 'src', tmp_path / 'out')
    assert (data['validated'], data['written']) == (1, 0)
    assert data['pixels_per_id'] == counts
    assert snapshot(tmp_path / 'src') == before
    saved = json.load(open(tmp_path / 'out' / f'{data["dataset"]}_summary'
                           '.json'))
    assert saved['pixels_per_id'] == counts


@pytest.mark.parametrize('name,make,bad', [
    ('goose', goose, 64), ('cityscapes', cityscapes, 34),
    ('tas500', tas500, 23), ('rellis3d', rellis3d, 2)])
def test_id_outside_the_taxonomy_names_file_and_id(tmp_path, name, make, bad):
    make(tmp_path / 'src', bad=bad)
    with pytest.raises(ConversionError, match=r'\.png: label ids '
                       rf'\[{bad}\] are not in the taxonomy'):
        convert(name, tmp_path / 'src', tmp_path / 'out')
    assert not osp.exists(tmp_path / 'out/labels')  # nothing linked


def test_missing_label_file_is_named(tmp_path):
    cityscapes(tmp_path / 'src')
    os.remove(tmp_path / f'src/gtFine/train/{CITY}_gtFine_labelIds.png')
    with pytest.raises(ConversionError, match=r'aachen_000000_000019_'
                       r'leftImg8bit\.png: its label .*aachen_000000_'
                       r'000019_gtFine_labelIds\.png is missing'):
        convert('cityscapes', tmp_path / 'src', tmp_path / 'out')


def test_size_mismatch_names_both_files_and_sizes(tmp_path):
    tas500(tmp_path / 'src')
    write_ids(tmp_path / 'src/train_labels_ids/1_00001.png', [[1, 1]] * 2)
    with pytest.raises(ConversionError, match=r'1_00001\.png: size 2x2 '
                       r'differs from its image .*train/1_00001\.png '
                       r'\(3x2\)'):
        convert('tas500', tmp_path / 'src', tmp_path / 'out')


@pytest.mark.parametrize('extra', [[], ['--splits', 'train']])
def test_rellis3d_labels_and_images_are_linked(tmp_path, extra):
    rellis3d(tmp_path / 'src')
    out = tmp_path / 'out'
    assert convert('rellis3d', tmp_path / 'src', out, *extra)['placed'] == 2
    label, image = out / f'labels/00000/{FRAME}.png', \
        out / f'images/00000/{FRAME}.jpg'
    assert osp.islink(label) and osp.islink(image)
    assert osp.samefile(image, tmp_path / 'src' / RELLIS_IMG / f'{FRAME}.jpg')
    assert read_label(str(label))[1, 2] == 7
    assert not osp.exists(out / 'labels/00000/frame000099-1.png')


def test_goose_urban_subset_is_validated_and_linked(tmp_path):
    goose(tmp_path / 'src')
    write_image(tmp_path / 'src/images/train/scene_a/x_9_windshield_vis.png',
                2, 3)
    (tmp_path / 'train_urban_subset.txt').write_text(
        f'{GOOSE}_windshield_vis.png\n')
    out = tmp_path / 'goose_urban'
    data = convert('goose', tmp_path / 'src', out, '--splits', 'train',
                   '--subset-lists', str(tmp_path))
    assert data['validated'] == 1 and data['placed'] == 2
    assert osp.islink(out / f'labels/train/{GOOSE}_labelids.png')
    assert os.listdir(out / 'images/train/scene_a') == [
        'x_0001_windshield_vis.png']


def test_parallel_run_gives_the_same_summary(tmp_path):
    goose(tmp_path / 'src')
    serial = convert('goose', tmp_path / 'src', tmp_path / 'a')
    parallel = convert('goose', tmp_path / 'src', tmp_path / 'b', '--nproc',
                       '2')
    assert parallel['pixels_per_id'] == serial['pixels_per_id']


# --------------------------------------------------------- conversions
@pytest.mark.parametrize('name,make,label,image,ids', [
    # sky 5, background 0, rough_trail 6
    ('yamaha', yamaha, 'labels/train/iid000000.png',
     'images/train/iid000000.jpg', [[5, 5, 0], [6, 0, 0]]),
    # sky 5, tree 4, road 1, void 0
    ('freiburg_forest', freiburg_forest, 'train/labels/b1-09517_Clipped.png',
     'train/rgb/b1-09517_Clipped.jpg', [[5, 5, 4], [1, 1, 0]]),
    # from the colour map file: sky 7, grass 3, concrete 23, void 0
    ('rugd', rugd, 'labels/creek/creek_00001.png',
     'images/creek/creek_00001.png', [[7, 3, 3], [23, 0, 7]]),
    # without it, the taxonomy's colours (the same ids)
    ('rugd', lambda root: rugd(root, colourmap=False),
     'labels/creek/creek_00001.png', 'images/creek/creek_00001.png',
     [[7, 3, 3], [23, 0, 7]]),
    # background 0, road 1 / lane_mark_solid 2, lane_mark_dashed 3
    ('road_lane', road_lane, 'labels/train/img_001.png',
     'images/train/img_001.jpg', [[0, 1, 1], [2, 3, 0]]),
    # car (segment 1000 = RGB(232, 3, 0)), road 7, sky (70000), unlabeled
    ('wilddash', wilddash, 'labels/at0001_100000.png',
     'images/at0001_100000.jpg', [[26, 26, 7], [23, 0, 7]]),
])
def test_native_labels_become_ids(tmp_path, name, make, label, image, ids):
    make(tmp_path / 'src')
    data = convert(name, tmp_path / 'src', tmp_path / 'out')
    result = read_label(str(tmp_path / 'out' / label))
    assert result.dtype == np.uint8 and data['written'] == 1
    np.testing.assert_array_equal(result, ids)
    assert osp.islink(tmp_path / 'out' / image) and data['placed'] == 1


@pytest.mark.parametrize('name,make,bad,message', [
    ('yamaha', yamaha, (1, 2, 3), r'labels\.png: colour RGB\(1, 2, 3\) at '
     r'pixel \(x=0, y=1\)'),
    ('freiburg_forest', freiburg_forest, (9, 9, 9),
     r'b1-09517_Clipped\.png: colour RGB\(9, 9, 9\) at pixel \(x=0, y=1\)'),
    ('rugd', rugd, (255, 0, 127), r'creek_00001\.png: colour '
     r'RGB\(255, 0, 127\) at pixel \(x=0, y=1\)'),
    ('road_lane', road_lane, 4, r'img_001\.png: colour RGB\(255, 255, 255\) '
     r'at pixel \(x=2, y=1\)'),
    ('wilddash', wilddash, 513, r'at0001_100000\.png: segment id 513 '
     r'\(RGB\(1, 2, 0\)\) is not in the segments_info'),
])
def test_unknown_value_names_file_and_value(tmp_path, name, make, bad,
                                            message):
    make(tmp_path / 'src', bad=bad)
    with pytest.raises(ConversionError, match=message):
        convert(name, tmp_path / 'src', tmp_path / 'out')


def test_wilddash_category_outside_taxonomy_is_named(tmp_path):
    wilddash(tmp_path / 'src', car=81)
    with pytest.raises(ConversionError, match=r'at0001_100000\.png: segment '
                       r'1000 has category_id 81'):
        convert('wilddash', tmp_path / 'src', tmp_path / 'out')


def test_wilddash_semantic_pngs_are_validated_and_linked(tmp_path):
    wilddash(tmp_path / 'src')
    write_ids(tmp_path / 'src/wd_public_v2p0/semantic/at0001_100000.png',
              [[26, 26, 7], [80, 0, 7]])
    data = convert('wilddash', tmp_path / 'src', tmp_path / 'out',
                   '--semantic', 'semantic')
    assert data['validated'] == 1 and data['pixels_per_id']['80'] == 1
    assert osp.islink(tmp_path / 'out/labels/at0001_100000.png')


def test_unknown_colour_can_be_ignored_and_is_counted(tmp_path):
    freiburg_forest(tmp_path / 'src', bad=(9, 9, 9))
    data = convert('freiburg_forest', tmp_path / 'src', tmp_path / 'out',
                   '--unknown-as-ignore')
    ids = read_label(str(tmp_path / 'out/train/labels/b1-09517_Clipped.png'))
    assert ids[1, 0] == 255 and data['pixels_per_id']['255'] == 1


def test_conversion_is_idempotent_atomic_and_honours_umask(tmp_path):
    yamaha(tmp_path / 'src')
    before, umask = snapshot(tmp_path / 'src'), os.umask(0o022)
    try:
        convert('yamaha', tmp_path / 'src', tmp_path / 'out')
    finally:
        os.umask(umask)
    label = tmp_path / 'out/labels/train/iid000000.png'
    assert os.stat(label).st_mode & 0o777 == 0o644
    first = os.stat(label).st_mtime_ns
    again = convert('yamaha', tmp_path / 'src', tmp_path / 'out')
    assert (again['written'], again['kept'], again['placed']) == (0, 1, 0)
    assert os.stat(label).st_mtime_ns == first
    assert again['pixels_per_id'] == {'0': 3, '5': 2, '6': 1}
    forced = convert('yamaha', tmp_path / 'src', tmp_path / 'out', '--force')
    assert forced['written'] == 1
    assert snapshot(tmp_path / 'src') == before
    assert [f for _, _, fs in os.walk(tmp_path / 'out') for f in fs
            if f.startswith('.')] == []


def test_output_inside_the_source_is_refused(tmp_path):
    yamaha(tmp_path / 'src')
    with pytest.raises(ValueError, match='--out'):
        convert('yamaha', tmp_path / 'src', tmp_path / 'src/converted')


def test_command_failure_exits_with_the_message(tmp_path, monkeypatch):
    tas500(tmp_path / 'src', bad=99)
    module = tool('tas500')
    monkeypatch.setattr('sys.argv', ['tas500.py', str(tmp_path / 'src'),
                                     '--out', str(tmp_path / 'out')])
    with pytest.raises(SystemExit, match=r'error: .*label ids \[99\]'):
        module.cli.run_command(module.main)
