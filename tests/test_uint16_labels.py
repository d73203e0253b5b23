# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label ids wider than 8 bits: ``LoadAnnotations16Bit`` and a dataset.

The fixture is a ``uint16`` PNG with ids above 255 and the ignore value
65535, written as the pseudo-labelling hook writes a source of more than 255
classes; each expectation is written out by hand.
"""
import os.path as osp

import cv2
import numpy as np
import pytest
import yaml
from PIL import Image

import mmseg_unify  # noqa: F401  (registers)
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS
from mmseg.utils import register_all_modules
from mmseg_unify.datasets import TaxonomySegDataset
from mmseg_unify.utils.label_io import label_dtype, write_png_atomic

register_all_modules(init_default_scope=True)

WIDE = np.array([[0, 255, 256, 300],
                 [1000, 65535, 299, 7]], np.uint16)
# a pseudo-label of a 301-class source (ids 0..300, unlabelled 65535)
PSEUDO = np.array([[0, 255, 256, 300],
                   [300, 65535, 299, 7]], np.uint16)


def _results(path, label_map=None, reduce_zero_label=False):
    return dict(seg_map_path=str(path), seg_fields=[], label_map=label_map,
                reduce_zero_label=reduce_zero_label)


@pytest.fixture
def wide_png(tmp_path):
    path = tmp_path / 'wide.png'
    write_png_atomic(str(path), WIDE)
    return path


def test_mmseg_load_annotations_wraps_ids_above_255(wide_png):
    # why the transform exists: 256 -> 0, 300 -> 44, 65535 -> 255
    out = LoadAnnotations()(_results(wide_png))['gt_seg_map']
    assert out.dtype == np.uint8
    assert out[0, 2] == 0 and out[0, 3] == 44 and out[1, 1] == 255


def test_uint16_png_loads_every_id_as_stored(wide_png):
    transform = TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))
    out = transform(_results(wide_png))
    assert out['gt_seg_map'].dtype == np.uint16
    np.testing.assert_array_equal(out['gt_seg_map'], WIDE)
    assert out['seg_fields'] == ['gt_seg_map']


def test_label_map_with_wide_keys_and_values(wide_png):
    transform = TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))
    label_map = {300: 2, 1000: 4000, 7: 300}  # 7 -> 300 is not chained
    out = transform(_results(wide_png, label_map))['gt_seg_map']
    expected = np.array([[0, 255, 256, 2],
                         [4000, 65535, 299, 300]], np.uint16)
    np.testing.assert_array_equal(out, expected)


def test_reduce_zero_label_with_a_wide_ignore_index(wide_png):
    transform = TRANSFORMS.build(
        dict(type='LoadAnnotations16Bit', ignore_index=65535))
    out = transform(_results(wide_png, reduce_zero_label=True))['gt_seg_map']
    expected = np.array([[65535, 254, 255, 299],
                         [999, 65535, 298, 6]], np.uint16)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize('label_map,reduce', [
    (None, False), (None, True), ({3: 9, 9: 3, 0: 255}, False)])
def test_8bit_files_load_as_mmseg_loads_them(tmp_path, label_map, reduce):
    label = np.array([[0, 3, 9, 255], [1, 254, 3, 9]], np.uint8)
    path = tmp_path / 'narrow.png'
    cv2.imwrite(str(path), label)
    theirs = LoadAnnotations()(_results(path, label_map, reduce))
    ours = TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))(
        _results(path, label_map, reduce))
    np.testing.assert_array_equal(ours['gt_seg_map'], theirs['gt_seg_map'])


def test_palette_png_gives_its_indices(tmp_path):
    path = tmp_path / 'palette.png'
    indices = np.array([[0, 1], [2, 1]], np.uint8)
    img = Image.fromarray(indices, 'P')
    img.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [0] * 759)
    img.save(path)
    out = TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))(
        _results(path))['gt_seg_map']
    np.testing.assert_array_equal(out, indices)


def test_colour_image_is_refused_naming_the_file(tmp_path):
    path = tmp_path / 'colour.png'
    cv2.imwrite(str(path), np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r'colour\.png.*RGB image'):
        TRANSFORMS.build(dict(type='LoadAnnotations16Bit'))(_results(path))


def test_ids_survive_flip_resize_and_packing(wide_png):
    pipeline = [TRANSFORMS.build(t) for t in [
        dict(type='LoadAnnotations16Bit'),
        dict(type='RandomFlip', prob=1.0, direction='horizontal'),
        dict(type='Resize', scale=(8, 2), keep_ratio=False),
        dict(type='PackSegInputs', meta_keys=())
    ]]
    packed = dict(_results(wide_png), img=np.zeros((2, 4, 3), np.uint8),
                  img_shape=(2, 4), ori_shape=(2, 4))
    for transform in pipeline:
        packed = transform(packed)
    gt = packed['data_samples'].gt_sem_seg.data[0].numpy()
    # flipped left-right, then every pixel doubled in width (nearest)
    expected = np.repeat(WIDE[:, ::-1], 2, axis=1)
    np.testing.assert_array_equal(gt, expected.astype(np.int64))


def _wide_taxonomy(path, num_classes, void_id=None):
    classes = [dict(id=i, name=f'class_{i}', color=[i % 256, 0, 0])
               for i in range(num_classes)]
    if void_id is not None:
        classes[void_id]['void'] = True
    path.write_text(yaml.safe_dump(dict(
        name='wide', ignore_index=65535, classes=classes)))
    return str(path)


def _pseudo_label_dataset(tmp_path, taxonomy, raw_ids=False):
    """A student's pseudo-labelled extra: an image folder and the uint16
    label folder the pseudo-labelling hook writes for it."""
    for sub in ('img', 'pl'):
        (tmp_path / sub).mkdir()
    cv2.imwrite(str(tmp_path / 'img' / 'a.jpg'), np.zeros((2, 4, 3)))
    dtype = label_dtype(301, 65535)  # as OntologyConstrainedInference
    assert dtype == np.uint16
    write_png_atomic(str(tmp_path / 'pl' / 'a.png'), PSEUDO.astype(dtype))
    return TaxonomySegDataset(
        taxonomy=taxonomy, raw_ids=raw_ids, ignore_index=65535,
        data_root=str(tmp_path), img_suffix='.jpg',
        data_prefix=dict(img_path='img', seg_map_path='pl'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations16Bit'),
                  dict(type='PackSegInputs')])


def test_dataset_reads_uint16_pseudo_labels_back(tmp_path):
    tax = _wide_taxonomy(tmp_path / 'wide.yaml', 301)
    dataset = _pseudo_label_dataset(tmp_path, tax)
    assert len(dataset.metainfo['classes']) == 301
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0].numpy()
    np.testing.assert_array_equal(gt, PSEUDO.astype(np.int64))


def test_dataset_maps_raw_ids_above_255_to_contiguous_indices(tmp_path):
    tax = _wide_taxonomy(tmp_path / 'wide.yaml', 301, void_id=0)
    dataset = _pseudo_label_dataset(tmp_path, tax)
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0].numpy()
    # id 0 is void -> 65535; every other id i -> i - 1
    np.testing.assert_array_equal(gt, [[65535, 254, 255, 299],
                                       [299, 65535, 298, 6]])


def test_void_class_above_255_becomes_the_ignore_index(tmp_path):
    tax = _wide_taxonomy(tmp_path / 'wide.yaml', 301, void_id=300)
    dataset = _pseudo_label_dataset(tmp_path, tax)
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0].numpy()
    assert gt[0, 3] == 65535 and gt[1, 0] == 65535


def test_unified_student_configs_need_no_16bit_loader(repo_root):
    """Every unified student of the repository trains < 255 classes with
    ignore 255, so MMSeg's 8-bit loader is exact for its pseudo-labels; a
    student of a wider source must switch its pipeline (this test fails
    then, naming the config)."""
    import glob
    from mmengine.config import Config
    paths = sorted(glob.glob(
        osp.join(repo_root, 'configs/unify/unify-student_*.py')))
    assert paths
    for path in paths:
        cfg = Config.fromfile(path)
        head = cfg.model.decode_head
        head = head[0] if isinstance(head, (list, tuple)) else head
        wide = head.num_classes > 255 or head.get('ignore_index', 255) > 255
        datasets = cfg.train_dataloader.dataset.get(
            'datasets', [cfg.train_dataloader.dataset])
        loaders = {t['type'] for d in datasets for t in d['pipeline']
                   if 'Annotations' in t['type']}
        assert loaders, path
        assert not wide or loaders == {'LoadAnnotations16Bit'}, path
