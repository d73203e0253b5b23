# Copyright (c) mmseg-unify contributors. All rights reserved.
"""TaxonomySegDataset on a tiny generated raw-id dataset."""
import cv2
import numpy as np
import pytest
from mmseg.datasets.transforms import LoadAnnotations

from mmseg_unify.datasets.taxonomy_dataset import (TaxonomySegDataset,
                                                   contiguous_label_map)
from mmseg_unify.ontology import load_taxonomy, resolve_ontology_file

RAW = np.array([[0, 7, 8, 11], [26, 33, 255, 99]], np.uint8)  # demo_coarse


@pytest.fixture
def data_root(tmp_path):
    for sub in ('img', 'ann'):
        (tmp_path / sub).mkdir()
    cv2.imwrite(str(tmp_path / 'img' / 'a.png'),
                np.zeros((2, 4, 3), np.uint8))
    cv2.imwrite(str(tmp_path / 'ann' / 'a.png'), RAW)
    return str(tmp_path)


def _dataset(data_root, **kwargs):
    return TaxonomySegDataset(
        taxonomy='demo_coarse', data_root=data_root, img_suffix='.png',
        seg_map_suffix='.png', data_prefix=dict(img_path='img',
                                                seg_map_path='ann'),
        pipeline=[LoadAnnotations()], **kwargs)


def test_metainfo_from_taxonomy(data_root):
    dataset = _dataset(data_root)
    assert dataset.metainfo['classes'] == (
        'road', 'sidewalk', 'construction', 'pole', 'vegetation', 'person',
        'vehicle', 'bicycle')  # 'unlabeled' is void
    assert dataset.metainfo['palette'][0] == [128, 64, 128]
    assert dataset.metainfo['taxonomy'] == 'demo_coarse'


def test_contiguous_labels(data_root):
    sample = _dataset(data_root)[0]
    np.testing.assert_array_equal(
        sample['gt_seg_map'], [[255, 0, 1, 2], [6, 7, 255, 255]])


def test_raw_ids_kept_for_pseudo_labelling(data_root):
    dataset = _dataset(data_root, raw_ids=True)
    assert dataset.label_map is None
    np.testing.assert_array_equal(dataset[0]['gt_seg_map'], RAW)


def test_label_map_and_registry():
    from mmseg.registry import DATASETS
    assert DATASETS.get('TaxonomySegDataset') is TaxonomySegDataset
    tax = load_taxonomy(resolve_ontology_file('a2d2', 'taxonomies'))
    label_map = contiguous_label_map(tax)
    assert label_map[0] == 255  # void
    assert label_map[36] == 35  # buildings: 36th non-void class
    assert label_map[39] == 255 and 255 not in label_map  # unknown / as is
    assert label_map[1] == 0  # car: first non-void class


def test_classes_cannot_be_overridden(data_root):
    with pytest.raises(ValueError, match='classes come from the taxonomy'):
        _dataset(data_root, metainfo=dict(classes=('a', )))
