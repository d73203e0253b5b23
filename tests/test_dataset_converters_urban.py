# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The urban dataset converters and validators on tiny native-format
fixtures written here: A2D2 colours + class_list.json, CamVid colours +
class_dict.csv, IDD polygon JSON, nuImages JSON tables with pycocotools RLE,
Waymo v2 parquet, COCO panoptic PNG + JSON, and the id PNGs of Mapillary
Vistas (palette), ApolloScape and BDD100K.

Each converter's output is checked against ids written down by hand for a
few pixels, then read back through the dataset config that consumes it
(``configs/unify/datasets/<name>_extra.py`` with MMSeg's
``LoadAnnotations``); each format has an error case that must name the file
and the value at fault.
"""
import base64
import hashlib
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from helpers import ROOT
from mmseg_unify.utils.conversion import ConversionError

H, W = 6, 8


def converter(name):
    """Import ``tools/dataset_converters/<name>.py`` (registered in
    ``sys.modules`` so that its functions pickle for ``nproc > 1``)."""
    module_name = f'urban_converter_{name}'
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            module_name,
            osp.join(ROOT, 'tools', 'dataset_converters', f'{name}.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def snapshot(folder):
    """Every file under ``folder`` -> (mtime, sha256): to show that a
    conversion never writes into its source."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            found[path] = (os.stat(path).st_mtime_ns, digest)
    return found


def write_image(path, h=H, w=W):
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, np.full((h, w, 3), 90, np.uint8))


def write_rgb(path, rgb):
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1]))


def write_json(path, data):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f)


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
A2D2_COLOURS = {'#ff0000': 'Car 1', '#c80000': 'Car 2',
                '#00ff00': 'Small vehicles 1', '#e96400': 'Sidebars',
                '#c87dd2': 'Painted driv. instr.', '#87ceff': 'Sky'}
A2D2_LABEL = 'scene_1/label/cam_front_center/1_label_frontcenter_000001.png'


def make_a2d2(src):
    write_json(osp.join(src, 'class_list.json'), A2D2_COLOURS)
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:] = (0x87, 0xce, 0xff)                    # Sky -> 35
    rgb[0, 0] = (0xc8, 0x00, 0x00)                 # Car 2 -> car 1
    rgb[1, 2] = (0x00, 0xff, 0x00)                 # Small vehicles -> 5
    rgb[2, 3] = (0xe9, 0x64, 0x00)                 # Sidebars -> 9
    rgb[5, 7] = (0xc8, 0x7d, 0xd2)                 # Painted driv. -> 31
    write_rgb(osp.join(src, A2D2_LABEL), rgb)
    write_image(osp.join(src, A2D2_LABEL.replace('label', 'camera')))
    return src


def test_a2d2_colours_and_merged_classes_become_taxonomy_ids(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    before = snapshot(src)
    out = str(tmp_path / 'a2d2')
    summary = converter('a2d2').convert(src, out, nproc=2)
    rel = 'scene_1/cam_front_center/1_camera_frontcenter_000001.png'
    ids = read_ids(osp.join(out, 'labels', rel))
    assert ids.dtype == np.uint8
    assert (ids[0, 0], ids[1, 2], ids[2, 3], ids[5, 7], ids[4, 4]) == \
        (1, 5, 9, 31, 35)
    image = osp.join(out, 'images', rel)
    assert osp.islink(image) and osp.realpath(image) == osp.realpath(
        osp.join(src, 'scene_1/camera/cam_front_center',
                 '1_camera_frontcenter_000001.png'))
    assert summary.written == 1 and summary.pixels_per_id[35] == H * W - 4
    with open(osp.join(out, 'a2d2_summary.json')) as f:
        assert json.load(f)['written'] == 1
    assert snapshot(src) == before
    label = only_label('a2d2', out)
    np.testing.assert_array_equal(label, ids)


def test_a2d2_rerun_keeps_outputs_and_force_rewrites(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    out = str(tmp_path / 'out')
    tool = converter('a2d2')
    tool.convert(src, out)
    assert tool.convert(src, out).kept == 1
    assert tool.convert(src, out, force=True).written == 1


def test_a2d2_unknown_colour_names_file_and_colour(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    rgb = cv2.imread(osp.join(src, A2D2_LABEL))[..., ::-1].copy()
    rgb[3, 5] = (1, 2, 3)
    write_rgb(osp.join(src, A2D2_LABEL), rgb)
    with pytest.raises(ConversionError) as e:
        converter('a2d2').convert(src, str(tmp_path / 'out'))
    assert osp.join(src, A2D2_LABEL) in str(e.value)
    assert '(1, 2, 3)' in str(e.value) and 'x=5, y=3' in str(e.value)


def test_a2d2_class_name_outside_taxonomy_names_it(tmp_path):
    src = make_a2d2(str(tmp_path / 'src'))
    write_json(osp.join(src, 'class_list.json'),
               dict(A2D2_COLOURS, **{'#010203': 'Hovercraft 1'}))
    with pytest.raises(ConversionError, match='class_list.json.*Hovercraft'):
        converter('a2d2').convert(src, str(tmp_path / 'out'))


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
    expected = {int(c[1:], 16): order[n.rstrip('0123456789').strip()]
                for c, n in colours.items()}
    taxonomy = tool.load_taxonomy(tool.ontology_file('taxonomies/a2d2.yaml'))
    assert tool.colour_table(path, taxonomy) == expected
    assert len(colours) == 55 and max(expected.values()) == 38


@pytest.mark.parametrize('name', [
    'a2d2', 'camvid', 'idd', 'nuimages', 'waymo', 'coco_panoptic', 'bdd100k',
    'apolloscape', 'mapillary_vistas'])
def test_output_inside_source_is_refused(tmp_path, name):
    tool = converter(name)
    run = getattr(tool, 'convert', None) or tool.validate
    with pytest.raises(ValueError, match='--out'):
        run(str(tmp_path), str(tmp_path / 'out'))


# ------------------------------------------------------------- CamVid
CAMVID_TABLE = 'name,r,g,b\nBridge,0,128,64\nRoad,128,64,128\n' \
    'Sky,128,128,128\nVoid,0,0,0\n'


def make_camvid(src):
    os.makedirs(src)
    with open(osp.join(src, 'class_dict.csv'), 'w') as f:
        f.write(CAMVID_TABLE)
    rgb = np.zeros((H, W, 3), np.uint8)            # Void -> 30
    rgb[0] = (128, 128, 128)                       # Sky -> 21
    rgb[5] = (128, 64, 128)                        # Road -> 17
    rgb[2, 4] = (0, 128, 64)                       # Bridge -> 3
    write_rgb(osp.join(src, 'train_labels', '0001TP_006690_L.png'), rgb)
    write_image(osp.join(src, 'train', '0001TP_006690.png'))
    return src


def test_camvid_colours_become_ids_by_class_name(tmp_path):
    src = make_camvid(str(tmp_path / 'src'))
    out = str(tmp_path / 'camvid')
    converter('camvid').convert(src, out)
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
                       r'RGB \(10, 20, 30\) at x=1, y=1'):
        converter('camvid').convert(src, str(tmp_path / 'out'))


def test_camvid_image_without_label_names_both(tmp_path):
    src = make_camvid(str(tmp_path / 'src'))
    write_image(osp.join(src, 'train', 'lonely.png'))
    with pytest.raises(ConversionError, match='lonely.png: its label .*'
                       'lonely_L.png is missing'):
        converter('camvid').convert(src, str(tmp_path / 'out'))


def test_camvid_shipped_class_dict_ids_are_row_indices(tmp_path):
    """As data-priors' prepare_camvid.py: the row index is the id (Bridge,
    row 3, is the taxonomy's 'Bicyclist (id 3)')."""
    import csv
    tool = converter('camvid')
    path = tool.table_file(str(tmp_path))
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    expected = {(int(r['r']) << 16) | (int(r['g']) << 8) | int(r['b']): i
                for i, r in enumerate(rows)}
    taxonomy = tool.load_taxonomy(
        tool.ontology_file('taxonomies/camvid.yaml'))
    assert tool.colour_table(path, taxonomy) == expected
    assert rows[3]['name'] == 'Bridge' and len(expected) == 32


# ---------------------------------------------------------------- IDD
def make_idd(src, extra_objects=()):
    objects = [
        dict(label='road', polygon=[[0, 3], [7, 3], [7, 5], [0, 5]]),
        dict(label='car', polygon=[[1, 1], [4, 1], [4, 4], [1, 4]]),
        dict(label='sky', polygon=[[0, 0], [7, 0], [7, 5], [0, 5]],
             deleted=1),
        dict(label='polegroup', polygon=[[6, 0], [7, 0], [7, 1], [6, 1]]),
        dict(label='persongroup', polygon=[[6, 4], [7, 4], [7, 5], [6, 5]]),
        *extra_objects]
    write_json(osp.join(src, 'gtFine', 'train', '201', '0001_gtFine_'
                        'polygons.json'),
               dict(imgHeight=H, imgWidth=W, objects=objects))
    write_image(osp.join(src, 'leftImg8bit', 'train', '201',
                         '0001_leftImg8bit.png'))
    return src


def test_idd_polygons_filled_in_order_with_names_as_ids(tmp_path):
    src = make_idd(str(tmp_path / 'src'))
    out = str(tmp_path / 'idd')
    converter('idd').convert(src, out)
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
        converter('idd').convert(src, str(tmp_path / 'out'))


def test_idd_missing_image_names_the_annotation(tmp_path):
    src = make_idd(str(tmp_path / 'src'))
    os.remove(osp.join(src, 'leftImg8bit', 'train', '201',
                       '0001_leftImg8bit.png'))
    with pytest.raises(ConversionError, match='polygons.json: its image .*'
                       'is missing'):
        converter('idd').convert(src, str(tmp_path / 'out'))


# ----------------------------------------------------------- nuImages
def rle(mask):
    """A nuImages mask: COCO compressed RLE, base64-wrapped."""
    from pycocotools import mask as mask_utils
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=[int(v) for v in encoded['size']],
                counts=base64.b64encode(encoded['counts']).decode('ascii'))


def box(y0, y1, x0, x1):
    mask = np.zeros((H, W), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def make_nuimages(src, version='v1.0-mini', category_token='c2'):
    tables = osp.join(src, version)
    write_json(osp.join(tables, 'category.json'), [
        dict(token='c1', name='flat.driveable_surface'),
        dict(token='c2', name='vehicle.car'),
        dict(token='c3', name='human.pedestrian.adult'),
        dict(token='c4', name='vehicle.ego')])
    write_json(osp.join(tables, 'sample_data.json'), [
        dict(token='sd1', filename='samples/CAM_FRONT/n1.jpg', width=W,
             height=H, is_key_frame=True),
        dict(token='sd2', filename='sweeps/CAM_FRONT/n2.jpg', width=W,
             height=H, is_key_frame=False)])
    write_json(osp.join(tables, 'surface_ann.json'), [
        dict(token='s1', sample_data_token='sd1', category_token='c1',
             mask=rle(box(3, 6, 0, 8))),
        dict(token='s2', sample_data_token='sd1', category_token='c4',
             mask=rle(box(5, 6, 0, 8)))])
    # listed car first, but objects are painted in token order: the adult
    # ('a') first, then the car ('b') on top where they overlap.
    write_json(osp.join(tables, 'object_ann.json'), [
        dict(token='b', sample_data_token='sd1',
             category_token=category_token, mask=rle(box(1, 4, 1, 4))),
        dict(token='a', sample_data_token='sd1', category_token='c3',
             mask=rle(box(3, 5, 3, 6))),
        dict(token='c', sample_data_token='sd1', category_token='c3',
             mask=None)])
    write_image(osp.join(src, 'samples', 'CAM_FRONT', 'n1.jpg'))
    return src


def test_nuimages_tables_and_rle_masks_paint_like_the_devkit(tmp_path):
    src = make_nuimages(str(tmp_path / 'src'))
    before = snapshot(src)
    out = str(tmp_path / 'nuimages')
    converter('nuimages').convert(src, out, versions=['v1.0-mini'])
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
        converter('nuimages').convert(src, str(tmp_path / 'out'),
                                      versions=['v1.0-mini'])


def test_nuimages_missing_key_frame_names_table_and_file(tmp_path):
    src = make_nuimages(str(tmp_path / 'src'))
    os.remove(osp.join(src, 'samples', 'CAM_FRONT', 'n1.jpg'))
    with pytest.raises(ConversionError, match=r'sample_data.json: '
                       r'sample_data sd1 names samples/CAM_FRONT/n1.jpg'):
        converter('nuimages').convert(src, str(tmp_path / 'out'),
                                      versions=['v1.0-mini'])


# -------------------------------------------------------------- Waymo
WAYMO_KEYS = ('key.segment_context_name', 'key.frame_timestamp_micros',
              'key.camera_name')


def waymo_panoptic(semantic_of_road=20):
    """Panoptic ids (divisor 1000): road, a car instance, sky."""
    panoptic = np.full((H, W), semantic_of_road * 1000, np.uint16)
    panoptic[1:3, 1:3] = 2 * 1000 + 3              # car, instance 3
    panoptic[0, :] = 25 * 1000                     # sky
    return cv2.imencode('.png', panoptic)[1].tobytes()


def make_waymo(src, road=20, drop_image=False):
    import pyarrow as pa
    import pyarrow.parquet as pq
    jpeg = cv2.imencode('.jpg', np.full((H, W, 3), 90, np.uint8))[1]
    frames = [(1000, 1), (1000, 2), (2000, 1)]     # (timestamp, camera)
    images = {k: [] for k in WAYMO_KEYS + ('[CameraImageComponent].image', )}
    for ts, cam in frames[:2] if drop_image else frames:
        for key, value in zip(images, ('seg1', ts, cam, jpeg.tobytes())):
            images[key].append(value)
    split = osp.join(src, 'training')
    os.makedirs(osp.join(split, 'camera_image'))
    os.makedirs(osp.join(split, 'camera_segmentation'))
    pq.write_table(pa.table(images),
                   osp.join(split, 'camera_image', 'seg1.parquet'))
    labelled = [(1000, 1), (2000, 1)]              # (1000, 2) has none
    prefix = '[CameraSegmentationLabelComponent].'
    labels = {
        WAYMO_KEYS[0]: ['seg1'] * 2,
        WAYMO_KEYS[1]: pa.array([t for t, _ in labelled], pa.int64()),
        WAYMO_KEYS[2]: pa.array([c for _, c in labelled], pa.int32()),
        prefix + 'panoptic_label_divisor': pa.array([1000] * 2, pa.int32()),
        prefix + 'panoptic_label': [waymo_panoptic(), waymo_panoptic(road)]}
    pq.write_table(pa.table(labels),
                   osp.join(split, 'camera_segmentation', 'seg1.parquet'))
    return src, jpeg.tobytes()


def test_waymo_parquet_panoptic_labels_become_semantic_ids(tmp_path):
    src, jpeg = make_waymo(str(tmp_path / 'src'))
    out = str(tmp_path / 'waymo')
    tool = converter('waymo')
    assert tool.convert(src, out).written == 2
    stem = osp.join('training', 'seg1', '1000_FRONT')
    ids = read_ids(osp.join(out, 'labels', stem + '.png'))
    assert ids.dtype == np.uint8
    assert (ids[0, 0], ids[1, 1], ids[2, 2], ids[4, 5]) == (25, 2, 2, 20)
    with open(osp.join(out, 'images', stem + '.jpg'), 'rb') as f:
        assert f.read() == jpeg
    assert not osp.exists(osp.join(out, 'images', 'training', 'seg1',
                                   '1000_FRONT_LEFT.jpg'))
    assert tool.convert(src, out).kept == 2
    labels = config_labels('waymo', out)
    assert len(labels) == 2
    np.testing.assert_array_equal(
        labels[osp.join(out, 'images', stem + '.jpg')], ids)


def test_waymo_semantic_id_outside_taxonomy_names_file_frame_and_id(
        tmp_path):
    src, _ = make_waymo(str(tmp_path / 'src'), road=40)
    with pytest.raises(ConversionError, match=r'seg1.parquet: frame 2000 '
                       r'camera 1: label ids \[40\]'):
        converter('waymo').convert(src, str(tmp_path / 'out'))


def test_waymo_label_without_image_names_the_frame(tmp_path):
    src, _ = make_waymo(str(tmp_path / 'src'), drop_image=True)
    with pytest.raises(ConversionError, match=r'frame 2000 camera 1 has a '
                       r'label but no image in .*camera_image'):
        converter('waymo').convert(src, str(tmp_path / 'out'))


# ------------------------------------------------------ COCO panoptic
COCO_CATEGORIES = [dict(id=1, name='person', isthing=1),
                   dict(id=3, name='car', isthing=1),
                   dict(id=149, name='road', isthing=0),
                   dict(id=187, name='sky-other-merged', isthing=0)]


def make_coco(src, stray_segment=False):
    ann_dir = osp.join(src, 'annotations')
    annotations, images = [], []
    for image_id in (139, 285):
        seg = np.full((H, W), 1, np.int64)         # road segment id 1
        seg[0] = 3 * 65536 + 2                     # sky: RGB (2, 0, 3)
        seg[2:4, 2:5] = 5 * 256 + 7                # car: RGB (7, 5, 0)
        seg[5, 7] = 0                              # unlabelled
        if stray_segment:
            seg[4, 0] = 42
        rgb = np.stack([seg % 256, seg // 256 % 256, seg // 65536], -1)
        name = f'{image_id:012d}'
        write_rgb(osp.join(ann_dir, 'panoptic_train2017', name + '.png'),
                  rgb.astype(np.uint8))
        write_image(osp.join(src, 'train2017', name + '.jpg'))
        images.append(dict(id=image_id, file_name=name + '.jpg',
                           height=H, width=W))
        annotations.append(dict(image_id=image_id, file_name=name + '.png',
                                segments_info=[
                                    dict(id=1, category_id=149),
                                    dict(id=3 * 65536 + 2, category_id=187),
                                    dict(id=5 * 256 + 7, category_id=3,
                                         iscrowd=1)]))
    write_json(osp.join(ann_dir, 'panoptic_train2017.json'),
               dict(images=images, annotations=annotations,
                    categories=COCO_CATEGORIES))
    return src


def test_coco_segment_ids_become_contiguous_category_ids(tmp_path):
    src = make_coco(str(tmp_path / 'src'))
    out = str(tmp_path / 'coco')
    converter('coco_panoptic').convert(src, out, splits=['train'])
    ids = read_ids(osp.join(out, 'panoptic_semseg_train2017',
                            '000000000139.png'))
    # road -> 100, sky-other-merged -> 119, car (a crowd segment) -> 2,
    # segment id 0 -> 255
    assert (ids[4, 4], ids[0, 3], ids[3, 3], ids[5, 7]) == (100, 119, 2, 255)
    assert len(config_labels('coco_panoptic', out)) == 2


def test_coco_subset_list_converts_and_links_only_listed_images(tmp_path):
    src = make_coco(str(tmp_path / 'src'))
    lists = tmp_path / 'lists'
    lists.mkdir()
    (lists / 'train_urban_subset.txt').write_text('000000000285\n')
    out = str(tmp_path / 'coco')
    converter('coco_panoptic').convert(src, out, splits=['train'],
                                       subset_lists=str(lists))
    assert os.listdir(osp.join(out, 'train2017')) == ['000000000285.jpg']
    assert list(config_labels('coco_panoptic', out)) == [
        osp.join(out, 'train2017', '000000000285.jpg')]


def test_coco_segment_missing_from_segments_info_names_png_and_id(tmp_path):
    src = make_coco(str(tmp_path / 'src'), stray_segment=True)
    with pytest.raises(ConversionError, match=r'000000000139.png: segment id '
                       r'42 \(RGB \(42, 0, 0\)\)'):
        converter('coco_panoptic').convert(src, str(tmp_path / 'out'),
                                           splits=['train'])


# ------------------------------------------ validators of id PNGs
def write_palette_png(path, ids):
    os.makedirs(osp.dirname(path), exist_ok=True)
    img = Image.fromarray(ids.astype(np.uint8), mode='P')
    palette = np.random.default_rng(0).integers(0, 256, 768, np.uint8)
    img.putpalette(palette.tolist())
    img.save(path)


def make_mapillary(src, bad_id=None):
    ids = np.full((H, W), 13, np.uint8)            # construction--flat--road
    ids[0] = 27                                    # nature--sky
    ids[3, 3] = 55                                 # object--vehicle--car
    if bad_id is not None:
        ids[5, 5] = bad_id
    write_palette_png(osp.join(src, 'training', 'v1.2', 'labels', 'm1.png'),
                      ids)
    write_image(osp.join(src, 'training', 'images', 'm1.jpg'))
    return src, ids


def test_mapillary_palette_indices_validated_and_read_as_ids(tmp_path):
    src, ids = make_mapillary(str(tmp_path / 'mapillary'))
    out = str(tmp_path / 'checks')
    summary = converter('mapillary_vistas').validate(
        src, out, splits=['training'])
    assert summary.validated == 1
    assert dict(summary.pixels_per_id) == {13: H * W - W - 1, 27: W, 55: 1}
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
        converter('mapillary_vistas').validate(src, out, ['training'])
    with open(osp.join(out, 'mapillary_vistas_summary.json')) as f:
        assert 'label ids [70]' in json.load(f)['errors'][0]


def make_apolloscape(src, bad_id=None, plain_name=False):
    ids = np.full((H, W), 49, np.uint8)            # road
    ids[0] = 17                                    # sky
    ids[2, 2] = 33                                 # car
    ids[5] = 255                                   # unlabeled
    if bad_id is not None:
        ids[4, 4] = bad_id
    folder = osp.join(src, 'road01_ins', '{}', 'Record001', 'Camera 5')
    name = '170908_061502408_Camera_5'
    label = osp.join(folder.format('Label'),
                     name + ('.png' if plain_name else '_bin.png'))
    os.makedirs(osp.dirname(label))
    cv2.imwrite(label, ids)
    write_image(osp.join(folder.format('ColorImage'), name + '.jpg'))
    return src


def test_apolloscape_road_folders_validated(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'))
    summary = converter('apolloscape').validate(src, str(tmp_path / 'chk'))
    assert summary.validated == 1
    assert dict(summary.pixels_per_id) == {49: 4 * W - 1, 17: W, 33: 1,
                                           255: W}
    label = only_label('apolloscape', osp.join(src, 'road01_ins'))
    assert (label[0, 0], label[2, 2], label[3, 3], label[5, 0]) == \
        (17, 33, 49, 255)


def test_apolloscape_id_outside_taxonomy_names_file_and_id(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'), bad_id=2)
    with pytest.raises(ConversionError, match=r'Camera_5_bin.png: label ids '
                       r'\[2\]'):
        converter('apolloscape').validate(src, str(tmp_path / 'chk'))


def test_apolloscape_label_named_without_bin_gets_a_hint(tmp_path):
    src = make_apolloscape(str(tmp_path / 'apollo'), plain_name=True)
    with pytest.raises(ConversionError, match=r'Camera_5.jpg: its label .*'
                       r"_bin.png is missing .*seg_map_suffix='.png'"):
        converter('apolloscape').validate(src, str(tmp_path / 'chk'))


def make_bdd(src, label_size=(H, W)):
    ids = np.full(label_size, 0, np.uint8)         # road
    ids[0] = 10                                    # sky
    ids[2, 3] = 13                                 # car
    ids[-1, -1] = 255                              # void
    label = osp.join(src, 'labels', 'sem_seg', 'masks', 'train', 'b1.png')
    os.makedirs(osp.dirname(label))
    cv2.imwrite(label, ids)
    write_image(osp.join(src, 'images', '10k', 'train', 'b1.jpg'))
    return src, ids


def test_bdd_masks_validated(tmp_path):
    src, ids = make_bdd(str(tmp_path / 'bdd100k'))
    summary = converter('bdd100k').validate(src, str(tmp_path / 'chk'))
    assert summary.validated == 1 and summary.pixels_per_id[13] == 1
    label = only_label('bdd', src)
    np.testing.assert_array_equal(label, ids)


def test_bdd_size_mismatch_names_both_files_and_sizes(tmp_path):
    src, _ = make_bdd(str(tmp_path / 'bdd100k'), label_size=(H, W + 1))
    with pytest.raises(ConversionError, match=r'b1.png: size 9x6 differs '
                       r'from its image .*b1.jpg \(8x6\)'):
        converter('bdd100k').validate(src, str(tmp_path / 'chk'))


def test_bdd_missing_mask_names_image_and_mask(tmp_path):
    src, _ = make_bdd(str(tmp_path / 'bdd100k'))
    write_image(osp.join(src, 'images', '10k', 'train', 'b2.jpg'))
    with pytest.raises(ConversionError, match=r'1 of 2 labels at fault.*'
                       r'b2.jpg: its label .*b2.png is missing'):
        converter('bdd100k').validate(src, str(tmp_path / 'chk'))


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
    assert 'nothing: no <split>/ and <split>_labels/ folders' in str(e.value)
