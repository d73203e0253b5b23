# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Tiny datasets written in their *native* on-disk formats, for the
converter tests and the real-format rehearsal of the whole pipeline.

Every ``make_<dataset>(root, ...)`` writes one dataset under ``root`` as
its download looks (a few images of 6 x 8 or 2 x 3 pixels) and returns
``root`` as a string; the comments next to the pixels give the ids the
converter must produce, worked out by hand from the dataset's own tables.
``bad`` (where there is one) puts a value the taxonomy or table lacks into
one pixel, for the error cases.
"""
import base64
import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np
from PIL import Image

H, W = 6, 8


# ------------------------------------------------------------ writers
def write_image(path, h=H, w=W):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    cv2.imwrite(str(path), np.full((h, w, 3), 90, np.uint8))


def write_rgb(path, rgb):
    """A colour label from an ``H x W x 3`` RGB array or rows of RGB
    tuples (PNG, so written as BGR)."""
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    rgb = np.asarray(rgb, np.uint8)
    cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))


def write_ids(path, ids):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    cv2.imwrite(str(path), np.asarray(ids, np.uint8))


def write_json(path, data):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f)


def write_palette_png(path, ids, palette=None):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    img = Image.fromarray(np.asarray(ids, np.uint8), mode='P')
    if palette is None:
        palette = np.random.default_rng(0).integers(0, 256, 768).tolist()
    img.putpalette(palette)
    img.save(path)


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


def segment_rgb(seg):
    """COCO panoptic colour of a segment id (R + 256 G + 256^2 B)."""
    return (seg % 256, (seg // 256) % 256, seg // 65536)


# ------------------------------------------------------ urban (6 x 8)
A2D2_COLOURS = {'#ff0000': 'Car 1', '#c80000': 'Car 2',
                '#00ff00': 'Small vehicles 1', '#e96400': 'Sidebars',
                '#c87dd2': 'Painted driv. instr.', '#87ceff': 'Sky'}
A2D2_LABEL = 'scene_1/label/cam_front_center/1_label_frontcenter_000001.png'


def make_a2d2(src):
    src = str(src)
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


CAMVID_TABLE = 'name,r,g,b\nBridge,0,128,64\nRoad,128,64,128\n' \
    'Sky,128,128,128\nVoid,0,0,0\n'


def make_camvid(src):
    src = str(src)
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


def make_idd(src, extra_objects=()):
    src = str(src)
    objects = [
        dict(label='road', polygon=[[0, 3], [7, 3], [7, 5], [0, 5]]),
        dict(label='car', polygon=[[1, 1], [4, 1], [4, 4], [1, 4]]),
        dict(label='sky', polygon=[[0, 0], [7, 0], [7, 5], [0, 5]],
             deleted=1),
        dict(label='polegroup', polygon=[[6, 0], [7, 0], [7, 1], [6, 1]]),
        dict(label='persongroup', polygon=[[6, 4], [7, 4], [7, 5], [6, 5]]),
        *extra_objects]
    write_json(osp.join(src, 'gtFine', 'train', '201',
                        '0001_gtFine_polygons.json'),
               dict(imgHeight=H, imgWidth=W, objects=objects))
    write_image(osp.join(src, 'leftImg8bit', 'train', '201',
                         '0001_leftImg8bit.png'))
    return src


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
    src = str(src)
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


WAYMO_KEYS = ('key.segment_context_name', 'key.frame_timestamp_micros',
              'key.camera_name')


def waymo_panoptic(semantic_of_road=20):
    """Panoptic ids (divisor 1000): road, a car instance, sky."""
    panoptic = np.full((H, W), semantic_of_road * 1000, np.uint16)
    panoptic[1:3, 1:3] = 2 * 1000 + 3              # car, instance 3
    panoptic[0, :] = 25 * 1000                     # sky
    return cv2.imencode('.png', panoptic)[1].tobytes()


def make_waymo(src, road=20, drop_image=False):
    """Returns ``(src, jpeg bytes of every frame)``."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    src = str(src)
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


COCO_CATEGORIES = [dict(id=1, name='person', isthing=1),
                   dict(id=3, name='car', isthing=1),
                   dict(id=149, name='road', isthing=0),
                   dict(id=187, name='sky-other-merged', isthing=0)]


def make_coco(src, stray_segment=False):
    src = str(src)
    ann_dir = osp.join(src, 'annotations')
    annotations, images = [], []
    for image_id in (139, 285):
        seg = np.full((H, W), 1, np.int64)         # road segment id 1
        seg[0] = 3 * 65536 + 2                     # sky: RGB (2, 0, 3)
        seg[2:4, 2:5] = 5 * 256 + 7                # car: RGB (7, 5, 0)
        seg[5, 7] = 0                              # unlabelled
        if stray_segment:
            seg[4, 0] = 42
        name = f'{image_id:012d}'
        write_rgb(osp.join(ann_dir, 'panoptic_train2017', name + '.png'),
                  np.stack(segment_rgb(seg), -1))
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


def make_mapillary(src, bad_id=None):
    """Returns ``(src, ids)``: palette PNGs whose index is the id."""
    src = str(src)
    ids = np.full((H, W), 13, np.uint8)            # construction--flat--road
    ids[0] = 27                                    # nature--sky
    ids[3, 3] = 55                                 # object--vehicle--car
    if bad_id is not None:
        ids[5, 5] = bad_id
    write_palette_png(osp.join(src, 'training', 'v1.2', 'labels', 'm1.png'),
                      ids)
    write_image(osp.join(src, 'training', 'images', 'm1.jpg'))
    return src, ids


def make_apolloscape(src, bad_id=None, plain_name=False):
    src = str(src)
    ids = np.full((H, W), 49, np.uint8)            # road
    ids[0] = 17                                    # sky
    ids[2, 2] = 33                                 # car
    ids[5] = 255                                   # unlabeled
    if bad_id is not None:
        ids[4, 4] = bad_id
    folder = osp.join(src, 'road01_ins', '{}', 'Record001', 'Camera 5')
    name = '170908_061502408_Camera_5'
    write_ids(osp.join(folder.format('Label'),
                       name + ('.png' if plain_name else '_bin.png')), ids)
    write_image(osp.join(folder.format('ColorImage'), name + '.jpg'))
    return src


def make_bdd(src, label_size=(H, W)):
    """Returns ``(src, ids)``."""
    src = str(src)
    ids = np.full(label_size, 0, np.uint8)         # road
    ids[0] = 10                                    # sky
    ids[2, 3] = 13                                 # car
    ids[-1, -1] = 255                              # void
    write_ids(osp.join(src, 'labels', 'sem_seg', 'masks', 'train',
                       'b1.png'), ids)
    write_image(osp.join(src, 'images', '10k', 'train', 'b1.jpg'))
    return src, ids


# ------------------------------------------- off-road and more (2 x 3)
GOOSE = 'scene_a/x_0001'
CITY = 'aachen/aachen_000000_000019'
RELLIS_IMG = 'Rellis_3D_pylon_camera_node/Rellis-3D/00000/pylon_camera_node'
RELLIS_LAB = ('Rellis_3D_pylon_camera_node_label_id/Rellis-3D/00000/'
              'pylon_camera_node_label_id')
FRAME = 'frame000000-1581624652_750'
FF = 'freiburg_forest_annotated/train'


def make_goose(root, bad=None):
    root = str(root)
    write_image(f'{root}/images/train/{GOOSE}_windshield_vis.png', 2, 3)
    write_image(f'{root}/images/test/scene_b/y_windshield_vis.png', 2, 3)
    write_ids(f'{root}/labels/train/{GOOSE}_labelids.png',
              [[23, 23, 12], [53, 53, bad or 53]])  # asphalt, car, sky
    return root


# Cityscapes labelIds -> trainIds of the ids used: 7 road -> 0, 26 car ->
# 13, 33 bicycle -> 18, 0 unlabeled and 255 -> 255 (ignored)
CITY_LABEL_IDS = [[7, 26, 0], [255, 33, 33]]
CITY_TRAIN_IDS = [[0, 13, 255], [255, 18, 18]]


def make_cityscapes(root, bad=None, splits=('train', ), train_ids=False):
    """``leftImg8bit`` and ``gtFine`` ``*_labelIds.png`` (and, with
    ``train_ids``, ``*_labelTrainIds.png``, as cityscapesScripts'
    ``createTrainIdLabelImgs`` writes them) of one image per split."""
    root = str(root)
    ids = [row[:] for row in CITY_LABEL_IDS]
    ids[1][2] = bad or ids[1][2]
    for split in splits:
        write_image(f'{root}/leftImg8bit/{split}/{CITY}_leftImg8bit.png', 2,
                    3)
        write_ids(f'{root}/gtFine/{split}/{CITY}_gtFine_labelIds.png', ids)
        if train_ids:
            write_ids(f'{root}/gtFine/{split}/{CITY}_gtFine_labelTrainIds'
                      '.png', CITY_TRAIN_IDS)
    return root


def make_tas500(root, bad=None):
    root = str(root)
    write_image(f'{root}/train/1_00001.png', 2, 3)
    write_ids(f'{root}/train_labels_ids/1_00001.png',
              [[255, 255, 16], [16, 16, bad or 16]])  # puddle 255, sky 16
    return root


def make_rellis3d(root, bad=None):
    root = str(root)
    write_image(f'{root}/{RELLIS_IMG}/{FRAME}.jpg', 2, 3)
    write_ids(f'{root}/{RELLIS_LAB}/{FRAME}.png',
              [[3, 4, 7], [7, 7, bad or 7]])
    write_ids(f'{root}/{RELLIS_LAB}/frame000099-1.png', [[3]])  # no image
    lst = f'{root}/Rellis_3D_image_split/train.lst'
    os.makedirs(osp.dirname(lst))
    with open(lst, 'w') as f:
        f.write(f'00000/pylon_camera_node/{FRAME}.jpg '
                f'00000/pylon_camera_node_label_id/{FRAME}.png\n')
    return root


def make_yamaha(root, bad=None):
    root = str(root)
    sky, bg = (1, 88, 255), (255, 255, 255)
    write_image(f'{root}/train/iid000000/rgb.jpg', 2, 3)
    write_rgb(f'{root}/train/iid000000/labels.png',
              [[sky, sky, bg], [bad or (156, 76, 30), bg, bg]])
    return root


def make_freiburg_forest(root, bad=None):
    root = str(root)
    road, sky, tree = (170, 170, 170), (0, 120, 255), (0, 60, 0)
    write_image(f'{root}/{FF}/rgb/b1-09517_Clipped.jpg', 2, 3)
    write_rgb(f'{root}/{FF}/GT_color/b1-09517_Clipped.png',
              [[sky, sky, tree], [bad or road, road, (0, 0, 0)]])
    return root


def make_rugd(root, bad=None, colourmap=True):
    root = str(root)
    write_image(f'{root}/RUGD_frames-with-annotations/creek/creek_00001.png',
                2, 3)
    write_rgb(f'{root}/RUGD_annotations/creek/creek_00001.png',
              [[(0, 0, 255), (0, 102, 0), (0, 102, 0)],
               [bad or (101, 101, 11), (0, 0, 0), (0, 0, 255)]])
    if colourmap:  # the download's own file, format "id name r g b"
        with open(f'{root}/RUGD_annotations/RUGD_annotation-colormap.txt',
                  'w') as f:
            f.write('0 void 0 0 0\n3 grass 0 102 0\n7 sky 0 0 255\n'
                    '23 concrete 101 101 11\n')
    return root


def make_road_lane(root, bad=None, image_suffix='.jpg'):
    """A palette mask, as VOC-style tools save them."""
    root = str(root)
    write_image(f'{root}/train/images/img_001{image_suffix}', 2, 3)
    write_palette_png(f'{root}/train/masks/img_001.png',
                      [[0, 1, 1], [2, 3, bad or 0]],
                      [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0,
                       255, 255, 255] + [0] * 753)
    return root


def make_wilddash(root, bad=None, car=26):
    base = f'{root}/wd_public_v2p0'
    write_image(f'{base}/images/at0001_100000.jpg', 2, 3)
    segs = [[1000, 1000, 7], [70000, 0, bad or 7]]
    write_rgb(f'{base}/panoptic/at0001_100000.png',
              [[segment_rgb(s) for s in row] for row in segs])
    info = [dict(id=1000, category_id=car), dict(id=7, category_id=7),
            dict(id=70000, category_id=23)]
    write_json(f'{base}/panoptic.json', dict(
        images=[dict(id='at0001_100000', file_name='at0001_100000.jpg')],
        annotations=[dict(image_id='at0001_100000',
                          file_name='at0001_100000.png',
                          segments_info=info)],
        categories=[dict(id=7, name='road'), dict(id=23, name='sky'),
                    dict(id=26, name='car')]))
    return str(root)
