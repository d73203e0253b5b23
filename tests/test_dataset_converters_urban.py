# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The urban dataset converters and validators on tiny native-format
fixtures (``native_fixtures.py``): A2D2 colours + class_list.json, CamVid
colours + class_dict.csv, IDD polygon JSON, nuImages JSON tables with
pycocotools RLE, Waymo v2 parquet, COCO panoptic PNG + JSON, and the id PNGs
of Mapillary Vistas (palette), ApolloScape and BDD100K.

Each converter's output is checked against ids written down by hand for a
few pixels, then read back through the dataset config that consumes it
(``configs/unify/datasets/<name>_extra.py`` with MMSeg's
``LoadAnnotations``); each format has an error case that must name the file
and the value at fault.
"""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from helpers import ROOT, load_tool
from mmseg_unify.utils.conversion import ConversionError
from native_fixtures import (A2D2_COLOURS, A2D2_LABEL, H, W, make_a2d2,
                             make_apolloscape, make_bdd, make_camvid,
                             make_coco, make_idd, make_mapillary,
                             make_nuimages, make_waymo, snapshot,
                             write_image, write_json, write_rgb)


def converter(name):
    """``tools/dataset_converters/<name>.py`` as a module."""
    return load_tool(f'dataset_converters/{name}')


def run(name, src, out, *flags):
    """``tools/dataset_converters/<name>.py SRC --out OUT FLAGS``, in this
    process; returns the saved summary."""
    return converter(name).main([str(src), '--out', str(out), *flags])


def read_ids(path):
    return cv2.imread(path, cv2.IMREAD_UNCHANGED)


def config_labels(name, data_root):
    """``{image path: label}`` as the extra config's dataset reads them
    (``TaxonomySegDataset`` + MMSeg's ``LoadAnnotations``)."""
    from mmengine.config import Config
    from mmseg.datasets.transforms import LoadAnnotations
    from mmseg.registry import DATASETS

    import mmseg_unify  # noqa: F401  (registers TaxonomySegDataset)
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'unify', 'datasets', f'{name}_extra.py'))
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.update(data_root=data_root, pipeline=[])
    dataset = DATASETS.build(dataset_cfg)
    load = LoadAnnotations()
    labels = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        result = load(dict(info, seg_fields=[]))
        labels[info['img_path']] = result['gt_seg_map']
    return labels


def only_label(name, data_root):
    """The one label that the extra config ``name`` reads under
    ``data_root``."""
    labels = config_labels(name, data_root)
    assert len(labels) == 1, list(labels)
    return next(iter(labels.values()))


# --------------------------------------------------------------- A2D2
def test_a2d2_colours_and_merged_classes_become_taxonomy_ids(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    before = snapshot(src)
    out = str(tmp_path / 'a2d2')
    summary = run('a2d2', src, out, '--nproc', '2')
    rel = 'scene_1/cam_front_center/1_camera_frontcenter_000001.png'
    ids = read_ids(osp.join(out, 'labels', rel))
    assert ids.dtype == np.uint8
    assert (ids[0, 0], ids[1, 2], ids[2, 3], ids[5, 7], ids[4, 4]) == \
        (1, 5, 9, 31, 35)
    image = osp.join(out, 'images', rel)
    assert osp.islink(image) and osp.realpath(image) == osp.realpath(
        osp.join(src, 'scene_1/camera/cam_front_center',
                 '1_camera_frontcenter_000001.png'))
    assert summary['written'] == 1
    assert summary['pixels_per_id']['35'] == H * W - 4
    with open(osp.join(out, 'a2d2_summary.json')) as f:
        assert json.load(f)['written'] == 1
    assert snapshot(src) == before
    label = only_label('a2d2', out)
    np.testing.assert_array_equal(label, ids)


def test_a2d2_rerun_keeps_outputs_and_force_rewrites(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    out = str(tmp_path / 'out')
    run('a2d2', src, out)
    assert run('a2d2', src, out)['kept'] == 1
    assert run('a2d2', src, out, '--force')['written'] == 1


def test_a2d2_unknown_colour_names_file_and_colour(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    rgb = cv2.imread(osp.join(src, A2D2_LABEL))[..., ::-1].copy()
    rgb[3, 5] = (1, 2, 3)
    write_rgb(osp.join(src, A2D2_LABEL), rgb)
    with pytest.raises(ConversionError) as e:
        run('a2d2', src, tmp_path / 'out')
    assert osp.join(src, A2D2_LABEL) in str(e.value)
    assert '(1, 2, 3)' in str(e.value) and 'x=5, y=3' in str(e.value)


def test_a2d2_class_name_outside_taxonomy_names_it(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    write_json(osp.join(src, 'class_list.json'),
               dict(A2D2_COLOURS, **{'#010203': 'Hovercraft 1'}))
    with pytest.raises(ConversionError, match='class_list.json.*Hovercraft'):
        run('a2d2', src, tmp_path / 'out')


def test_a2d2_shipped_class_list_gives_prepare_a2d2_ids(tmp_path):
    """The full class_list.json (shipped copy, used when SRC has none):
    every colour gets the id that data-priors' prepare_a2d2.py assigns,
    i.e. 1, 2, ... in order of first appearance of the merged class."""
    tool = converter('a2d2')
    path = tool.table_file(str(tmp_path))
    with open(path) as f:
        colours = json.load(f)
    order = {}
    for name in colours.values():
        order.setdefault(name.rstrip('0123456789').strip(), len(order) + 1)
    expected = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)):
                order[n.rstrip('0123456789').strip()]
                for c, n in colours.items()}
    taxonomy = tool.load_taxonomy(tool.ontology_file('taxonomies/a2d2.yaml'))
    assert tool.colour_table(path, taxonomy) == expected
    assert len(colours) == 55 and max(expected.values()) == 38


@pytest.mark.parametrize('name', [
    'a2d2', 'camvid', 'idd', 'nuimages', 'waymo', 'coco_panoptic', 'bdd100k',
    'apolloscape', 'mapillary_vistas'])
def test_output_inside_source_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match='--out'):
        run(name, tmp_path, tmp_path / 'out')


# ------------------------------------------------------------- CamVid
def test_camvid_colours_become_ids_by_class_name(tmp_path):
    src = make_camvid(str(tmp_path / 'src'))
    out = str(tmp_path / 'camvid')
    run('camvid', src, out)
    ids = read_ids(osp.join(out, 'labels', 'train', '0001TP_006690.png'))
    assert (ids[0, 3], ids[5, 0], ids[2, 4], ids[3, 3]) == (21, 17, 3, 30)
    label = only_label('camvid', out)
    np.testing.assert_array_equal(label, ids)


def test_camvid_unknown_colour_names_file_and_colour(tmp_path):
    src = make_camvid(str(tmp_path / 'src'))
    path = osp.join(src, 'train_labels', '0001TP_006690_L.png')
    rgb = cv2.imread(path)[..., ::-1].copy()
    rgb[1, 1] = (10, 20, 30)
    write_rgb(path, rgb)
    with pytest.raises(ConversionError, match=r'0001TP_006690_L.png: colour '
                       r'RGB\(10, 20, 30\) at pixel \(x=1, y=1\)'):
        run('camvid', src, tmp_path / 'out')


def test_camvid_image_without_label_names_both(tmp_path):
    src = make_camvid(str(tmp_path / 'src'))
    write_image(osp.join(src, 'train', 'lonely.png'))
    with pytest.raises(ConversionError, match='lonely.png: its label .*'
                       'lonely_L.png is missing'):
        run('camvid', src, tmp_path / 'out')


def test_camvid_shipped_class_dict_ids_are_row_indices(tmp_path):
    """As data-priors' prepare_camvid.py: the row index is the id (Bridge,
    row 3, is the taxonomy's id 3 'Bridge', see camvid-id3-bridge)."""
    import csv
    tool = converter('camvid')
    path = tool.table_file(str(tmp_path))
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    expected = {tuple(int(r[k]) for k in 'rgb'): i
                for i, r in enumerate(rows)}
    taxonomy = tool.load_taxonomy(
        tool.ontology_file('taxonomies/camvid.yaml'))
    assert tool.colour_table(path, taxonomy) == expected
    assert rows[3]['name'] == 'Bridge' and len(expected) == 32
    assert [c.name for c in taxonomy.classes] == [r['name'] for r in rows]


# ---------------------------------------------------------------- IDD
def test_idd_polygons_filled_in_order_with_names_as_ids(tmp_path):
    src = make_idd(str(tmp_path / 'src'))
    out = str(tmp_path / 'idd')
    run('idd', src, out)
    ids = read_ids(osp.join(out, 'gtFine', 'train', '201',
                            '0001_gtFine_labelids.png'))
    # car (23) drawn after road (1) covers it; the deleted sky is skipped;
    # polegroup is a class of its own (25), persongroup falls back to
    # person (15); uncovered pixels are void (0).
    assert (ids[2, 2], ids[4, 3], ids[4, 5], ids[0, 0]) == (23, 23, 1, 0)
    assert (ids[0, 6], ids[5, 6]) == (25, 15)
    labels = config_labels('idd', out)
    assert list(labels) == [osp.join(out, 'leftImg8bit', 'train', '201',
                                     '0001_leftImg8bit.png')]
    np.testing.assert_array_equal(list(labels.values())[0], ids)


def test_idd_label_outside_taxonomy_names_file_and_label(tmp_path):
    src = make_idd(str(tmp_path / 'src'), [dict(
        label='flying saucer', polygon=[[0, 0], [1, 0], [1, 1]])])
    with pytest.raises(ConversionError, match=r'0001_gtFine_polygons.json: '
                       r"object 5 has label 'flying saucer'"):
        run('idd', src, tmp_path / 'out')


def test_idd_missing_image_names_the_annotation(tmp_path):
    src = make_idd(str(tmp_path / 'src'))
    os.remove(osp.join(src, 'leftImg8bit', 'train', '201',
                       '0001_leftImg8bit.png'))
    with pytest.raises(ConversionError, match='polygons.json: its image .*'
                       'is missing'):
        run('idd', src, tmp_path / 'out')


# ----------------------------------------------------------- nuImages
def test_nuimages_tables_and_rle_masks_paint_like_the_devkit(tmp_path):
    src = make_nuimages(str(tmp_path / 'src'))
    before = snapshot(src)
    out = str(tmp_path / 'nuimages')
    run('nuimages', src, out, '--versions', 'v1.0-mini')
    ids = read_ids(osp.join(out, 'masks', 'CAM_FRONT', 'n1.png'))
    # background 0, driveable surface 13, ego 14 on top of it, adult 1,
    # car 8 over the adult where they overlap (x=3, y=3).
    assert (ids[0, 0], ids[4, 0], ids[5, 2]) == (0, 13, 14)
    assert (ids[2, 2], ids[3, 3], ids[4, 4], ids[3, 5]) == (8, 8, 1, 1)
    assert not osp.exists(osp.join(out, 'masks', 'CAM_FRONT', 'n2.png'))
    assert snapshot(src) == before
    label = only_label('nuimages', out)
    np.testing.assert_array_equal(label, ids)


NUIMAGES_CATEGORIES = [  # the 25 categories of nuImages v1.0
    'animal', 'flat.driveable_surface', 'human.pedestrian.adult',
    'human.pedestrian.child', 'human.pedestrian.construction_worker',
    'human.pedestrian.personal_mobility', 'human.pedestrian.police_officer',
    'human.pedestrian.stroller', 'human.pedestrian.wheelchair',
    'movable_object.barrier', 'movable_object.debris',
    'movable_object.pushable_pullable', 'movable_object.trafficcone',
    'static_object.bicycle_rack', 'vehicle.bicycle', 'vehicle.bus.bendy',
    'vehicle.bus.rigid', 'vehicle.car', 'vehicle.construction',
    'vehicle.emergency.ambulance', 'vehicle.emergency.police',
    'vehicle.ego', 'vehicle.motorcycle', 'vehicle.trailer', 'vehicle.truck']


def test_nuimages_every_category_has_the_data_priors_id(tmp_path):
    """The ids of data-priors' prepare_nuimages.py label_map (1 adult ..
    25 wheelchair: short names in alphabetical order)."""
    path = str(tmp_path / 'category.json')
    write_json(path, [dict(token=f't{i}', name=n)
                      for i, n in enumerate(NUIMAGES_CATEGORIES)])
    tool = converter('nuimages')
    ids = tool.category_ids(path, tool.load_taxonomy(
        tool.ontology_file('taxonomies/nuimages.yaml')))
    by_name = {NUIMAGES_CATEGORIES[int(t[1:])]: v for t, v in ids.items()}
    assert sorted(by_name.values()) == list(range(1, 26))
    assert (by_name['human.pedestrian.adult'], by_name['vehicle.car'],
            by_name['flat.driveable_surface'], by_name['vehicle.ego'],
            by_name['movable_object.trafficcone'],
            by_name['human.pedestrian.wheelchair']) == (1, 8, 13, 14, 22, 25)


def test_nuimages_unknown_category_token_names_table_and_token(tmp_path):
    src = make_nuimages(str(tmp_path / 'src'), category_token='zz')
    with pytest.raises(ConversionError, match=r'object_ann.json: annotation '
                       r'b has category token zz'):
        run('nuimages', src, tmp_path / 'out', '--versions', 'v1.0-mini')


def test_nuimages_missing_key_frame_names_table_and_file(tmp_path):
    src = make_nuimages(str(tmp_path / 'src'))
    os.remove(osp.join(src, 'samples', 'CAM_FRONT', 'n1.jpg'))
    with pytest.raises(ConversionError, match=r'sample_data.json: '
                       r'sample_data sd1: its image .*samples/CAM_FRONT/'
                       r'n1.jpg is missing'):
        run('nuimages', src, tmp_path / 'out', '--versions', 'v1.0-mini')


# -------------------------------------------------------------- Waymo
def test_waymo_parquet_panoptic_labels_become_semantic_ids(tmp_path):
    src, jpeg = make_waymo(str(tmp_path / 'src'))
    out = str(tmp_path / 'waymo')
    assert run('waymo', src, out)['written'] == 2
    stem = osp.join('training', 'seg1', '1000_FRONT')
    ids = read_ids(osp.join(out, 'labels', stem + '.png'))
    assert ids.dtype == np.uint8
    assert (ids[0, 0], ids[1, 1], ids[2, 2], ids[4, 5]) == (25, 2, 2, 20)
    with open(osp.join(out, 'images', stem + '.jpg'), 'rb') as f:
        assert f.read() == jpeg
    assert not osp.exists(osp.join(out, 'images', 'training', 'seg1',
                                   '1000_FRONT_LEFT.jpg'))
    assert run('waymo', src, out)['kept'] == 2
    labels = config_labels('waymo', out)
    assert len(labels) == 2
    np.testing.assert_array_equal(
        labels[osp.join(out, 'images', stem + '.jpg')], ids)


def test_waymo_semantic_id_outside_taxonomy_names_file_frame_and_id(
        tmp_path):
    src, _ = make_waymo(str(tmp_path / 'src'), road=40)
    with pytest.raises(ConversionError, match=r'seg1.parquet: frame 2000 '
                       r'camera 1: label ids \[40\]'):
        run('waymo', src, tmp_path / 'out')


def test_waymo_label_without_image_names_the_frame(tmp_path):
    src, _ = make_waymo(str(tmp_path / 'src'), drop_image=True)
    with pytest.raises(ConversionError, match=r'frame 2000 camera 1 has a '
                       r'label but no image in .*camera_image'):
        run('waymo', src, tmp_path / 'out')


# ------------------------------------------------------ COCO panoptic
def test_coco_segment_ids_become_contiguous_category_ids(tmp_path):
    src = make_coco(str(tmp_path / 'src'))
    out = str(tmp_path / 'coco')
    run('coco_panoptic', src, out, '--splits', 'train')
    ids = read_ids(osp.join(out, 'panoptic_semseg_train2017',
                            '000000000139.png'))
    # road -> 100, sky-other-merged -> 119, car (a crowd segment) -> 2,
    # segment id 0 -> 255
    assert (ids[4, 4], ids[0, 3], ids[3, 3], ids[5, 7]) == (100, 119, 2, 255)
    assert len(config_labels('coco_panoptic', out)) == 2


def test_coco_unlabelled_segment_is_left_to_a_sure_teacher(tmp_path):
    """Segment id 0 -> raw 255 (``void`` of coco_panoptic.yaml) -> the
    Cityscapes map (correction coco-void-may-stay-void): one of the table's
    six classes where the teacher gives it at least void_threshold, else
    255 (ignored in training), never a forced label."""
    import torch

    from mmseg_unify.models.tta import constrain_probabilities
    from mmseg_unify.ontology import Ontology
    src = make_coco(str(tmp_path / 'src'))
    out = str(tmp_path / 'coco')
    run('coco_panoptic', src, out, '--splits', 'train')
    raw = torch.from_numpy(only_label_of(out, '000000000139.png'))
    ontology = Ontology.from_file('maps/coco_panoptic_to_cityscapes.yaml')
    assert ontology.allowed_names(255) == [
        'pole', 'traffic sign', 'vegetation', 'terrain', 'sky', 'truck',
        'void']
    tables = ontology.to_tensors()
    names = ontology.source.names
    car, sky, road = (names.index(n) for n in ('car', 'sky', 'road'))

    def label(teacher):
        """Pseudo-labels when the teacher's probabilities are ``teacher``
        (class -> probability, the rest spread evenly) everywhere."""
        probs = torch.full((len(names), *raw.shape),
                           (1 - sum(teacher.values())) /
                           (len(names) - len(teacher)))
        for c, p in teacher.items():
            probs[c] = p
        return constrain_probabilities(probs, raw, tables['allowed'],
                                       tables['void_allowed'])

    # the teacher sees a car (not allowed): unlabelled stays 255, while the
    # labelled road pixel must still be road
    sure_car = label({car: 0.9})
    assert raw[5, 7] == 255 and sure_car[5, 7] == 255
    assert sure_car[4, 4] == road
    # the teacher is sure of sky, an allowed class: it is kept
    assert label({sky: 0.8})[5, 7] == sky
    # unsure among the allowed classes: left unlabelled
    assert label({sky: 0.3, car: 0.6})[5, 7] == 255


def only_label_of(out, name):
    """The converted COCO label ``name`` as the extra config reads it."""
    labels = config_labels('coco_panoptic', out)
    return next(v for k, v in labels.items()
                if osp.basename(k) == name.replace('.png', '.jpg'))


def test_coco_subset_list_converts_and_links_only_listed_images(tmp_path):
    src = make_coco(str(tmp_path / 'src'))
    lists = tmp_path / 'lists'
    lists.mkdir()
    (lists / 'train_urban_subset.txt').write_text('000000000285\n')
    out = str(tmp_path / 'coco')
    run('coco_panoptic', src, out, '--splits', 'train', '--subset-lists',
        str(lists))
    assert os.listdir(osp.join(out, 'train2017')) == ['000000000285.jpg']
    assert list(config_labels('coco_panoptic', out)) == [
        osp.join(out, 'train2017', '000000000285.jpg')]


def test_coco_segment_missing_from_segments_info_names_png_and_id(tmp_path):
    src = make_coco(str(tmp_path / 'src'), stray_segment=True)
    with pytest.raises(ConversionError, match=r'000000000139.png: segment id '
                       r'42 \(RGB\(42, 0, 0\)\) is not in the segments_info'):
        run('coco_panoptic', src, tmp_path / 'out', '--splits', 'train')


# ------------------------------------------ validators of id PNGs
def test_mapillary_palette_indices_validated_and_read_as_ids(tmp_path):
    src, ids = make_mapillary(str(tmp_path / 'mapillary'))
    out = str(tmp_path / 'checks')
    summary = run('mapillary_vistas', src, out, '--splits', 'training')
    assert summary['validated'] == 1
    assert summary['pixels_per_id'] == {'13': H * W - W - 1, '27': W,
                                        '55': 1}
    assert osp.isfile(osp.join(out, 'mapillary_vistas_summary.json'))
    # OpenCV expands the palette; the config's LoadAnnotations (pillow)
    # reads the indices.
    assert cv2.imread(osp.join(src, 'training', 'v1.2', 'labels',
                               'm1.png')).ndim == 3
    label = only_label('mapillary_vistas', src)
    np.testing.assert_array_equal(label, ids)


def test_mapillary_id_outside_taxonomy_names_file_and_id(tmp_path):
    src, _ = make_mapillary(str(tmp_path / 'mapillary'), bad_id=70)
    out = str(tmp_path / 'checks')
    with pytest.raises(ConversionError, match=r'm1.png: label ids \[70\]'):
        run('mapillary_vistas', src, out, '--splits', 'training')
    with open(osp.join(out, 'mapillary_vistas_summary.json')) as f:
        assert 'label ids [70]' in json.load(f)['errors'][0]


def test_apolloscape_road_folders_validated(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'))
    summary = run('apolloscape', src, tmp_path / 'chk')
    assert summary['validated'] == 1
    assert summary['pixels_per_id'] == {'49': 4 * W - 1, '17': W, '33': 1,
                                        '255': W}
    label = only_label('apolloscape', osp.join(src, 'road01_ins'))
    assert (label[0, 0], label[2, 2], label[3, 3], label[5, 0]) == \
        (17, 33, 49, 255)


def test_apolloscape_id_outside_taxonomy_names_file_and_id(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'), bad_id=2)
    with pytest.raises(ConversionError, match=r'Camera_5_bin.png: label ids '
                       r'\[2\]'):
        run('apolloscape', src, tmp_path / 'chk')


def test_apolloscape_label_named_without_bin_gets_a_hint(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'), plain_name=True)
    with pytest.raises(ConversionError, match=r'Camera_5.jpg: its label .*'
                       r"_bin.png is missing .*seg_map_suffix='.png'"):
        run('apolloscape', src, tmp_path / 'chk')


def test_bdd_masks_validated(tmp_path):
    src, ids = make_bdd(str(tmp_path / 'bdd100k'))
    summary = run('bdd100k', src, tmp_path / 'chk')
    assert summary['validated'] == 1 and summary['pixels_per_id']['13'] == 1
    label = only_label('bdd', src)
    np.testing.assert_array_equal(label, ids)


def test_bdd_size_mismatch_names_both_files_and_sizes(tmp_path):
    src, _ = make_bdd(str(tmp_path / 'bdd100k'), label_size=(H, W + 1))
    with pytest.raises(ConversionError, match=r'b1.png: size 9x6 differs '
                       r'from its image .*b1.jpg \(8x6\)'):
        run('bdd100k', src, tmp_path / 'chk')


def test_bdd_missing_mask_names_image_and_mask(tmp_path):
    src, _ = make_bdd(str(tmp_path / 'bdd100k'))
    write_image(osp.join(src, 'images', '10k', 'train', 'b2.jpg'))
    with pytest.raises(ConversionError, match=r'1 of 2 labels at fault.*'
                       r'b2.jpg: its label .*b2.png is missing'):
        run('bdd100k', src, tmp_path / 'chk')


# -------------------------------------------------------- the command
def test_command_converts_and_reports_errors_without_traceback(
        tmp_path, monkeypatch, capsys):
    import runpy
    src = make_camvid(str(tmp_path / 'src'))
    script = osp.join(ROOT, 'tools', 'dataset_converters', 'camvid.py')
    done = subprocess.run(
        [sys.executable, script, src, '--out', str(tmp_path / 'out')],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert done.returncode == 0, done.stderr
    assert '1 written' in done.stdout and 'Road' in done.stdout
    monkeypatch.setattr(sys, 'argv', [
        script, str(tmp_path / 'nothing'), '--out', str(tmp_path / 'out2')])
    with pytest.raises(SystemExit) as e:
        runpy.run_path(script, run_name='__main__')
    assert str(e.value).startswith('error: ')
    assert 'nothing: no split found' in str(e.value)
