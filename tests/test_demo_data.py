# Copyright (c) mmseg-unify contributors. All rights reserved.
import filecmp
import glob
import os.path as osp

import cv2
import numpy as np
import yaml

from mmseg_unify.datasets.demo_data import (PART_TO_CLASS, generate_demo_data,
                                            part_lut)
from mmseg_unify.datasets.demo_scenes import PARTS, SceneStyle, render_scene
from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.paths import ontology_file

TINY = {
    'demo_urban': dict(train=2, val=1),
    'demo_coarse': dict(train=2, val=1),
    'demo_split': dict(train=2, val=1)
}


def _files(root):
    return sorted(
        osp.relpath(p, root)
        for p in glob.glob(osp.join(root, '**', '*.png'), recursive=True))


def test_same_seed_same_bytes(tmp_path):
    a = generate_demo_data(str(tmp_path / 'a'), seed=3, counts=TINY)
    b = generate_demo_data(str(tmp_path / 'b'), seed=3, counts=TINY)
    files = _files(a)
    assert files == _files(b)
    assert len(files) == 3 * 2 + 2 * 3 * 3  # urban: img+ann, extras: +fine
    match, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    assert mismatch == [] and errors == []


def test_other_seed_other_scenes(tmp_path):
    a = generate_demo_data(str(tmp_path / 'a'), seed=0, counts=TINY)
    b = generate_demo_data(str(tmp_path / 'b'), seed=1, counts=TINY)
    name = 'demo_urban/img_dir/train/000000.png'
    assert not np.array_equal(
        cv2.imread(osp.join(a, name)), cv2.imread(osp.join(b, name)))


def test_existing_data_is_kept(tmp_path):
    root = generate_demo_data(str(tmp_path / 'd'), seed=0, counts=TINY)
    marker = osp.join(root, 'demo_urban', 'img_dir', 'train', '000000.png')
    mtime = osp.getmtime(marker)
    generate_demo_data(root, seed=0, counts=TINY)
    assert osp.getmtime(marker) == mtime


def test_layout_and_sizes(small_demo):
    img = cv2.imread(
        osp.join(small_demo, 'demo_coarse/img_dir/train/000000.png'))
    ann = cv2.imread(
        osp.join(small_demo, 'demo_coarse/ann_dir/train/000000.png'),
        cv2.IMREAD_UNCHANGED)
    assert img.shape == (128, 256, 3)
    assert ann.shape == (128, 256) and ann.dtype == np.uint8
    for split, n in (('train', 8), ('val', 4)):
        assert len(glob.glob(osp.join(
            small_demo, f'demo_urban/ann_dir/{split}/*.png'))) == n


def _labels(root, dataset, folder='ann_dir'):
    return [
        cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in sorted(
            glob.glob(osp.join(root, dataset, folder, '*', '*.png')))
    ]


def test_label_values_within_taxonomies(small_demo):
    for dataset in ('demo_urban', 'demo_coarse', 'demo_split'):
        ids = set(load_taxonomy(
            ontology_file(f'taxonomies/{dataset}.yaml')).ids)
        values = set(np.unique(np.stack(_labels(small_demo, dataset))))
        assert values <= ids, (dataset, values - ids)
    source = set(range(12))
    for dataset in ('demo_coarse', 'demo_split'):
        fine = np.stack(_labels(small_demo, dataset, 'ann_fine_dir'))
        assert set(np.unique(fine)) <= source


def test_scenes_use_most_source_classes(small_demo):
    values = np.unique(np.stack(_labels(small_demo, 'demo_urban')))
    # road, marking, sidewalk, building, vegetation, sky, a vehicle at least
    assert {0, 1, 2, 3, 5, 6} <= set(values.tolist())
    assert len(values) >= 8


def _allowed(map_name):
    """Allowed source ids per extra raw id, read straight from the YAML."""
    with open(ontology_file(f'maps/{map_name}.yaml')) as f:
        spec = yaml.safe_load(f)
    extra = load_taxonomy(ontology_file(f"taxonomies/{spec['extra']}.yaml"))
    source = load_taxonomy(
        ontology_file(f"taxonomies/{spec['source']}.yaml"))
    return {
        extra.by_name(g).id:
        {source.by_name(c).id
         for c in allowed if c != 'void'}
        for g, allowed in spec['allowed'].items()
    }


def test_fine_truth_consistent_with_coarse_truth(small_demo):
    for dataset in ('demo_coarse', 'demo_split'):
        allowed = _allowed(f'{dataset}_to_demo_urban')
        coarse = np.stack(_labels(small_demo, dataset))
        fine = np.stack(_labels(small_demo, dataset, 'ann_fine_dir'))
        for g in np.unique(coarse):
            seen = set(np.unique(fine[coarse == g]).tolist())
            assert seen <= allowed[int(g)], (dataset, g, seen)


def test_extra_datasets_differ_from_source_taxonomy():
    # merged classes, a systematic error and absent classes, by construction
    coarse = PART_TO_CLASS['demo_coarse']
    assert coarse['car'] == coarse['truck'] == coarse['bus'] == 'vehicle'
    assert coarse['sky'] == 'unlabeled'
    split = PART_TO_CLASS['demo_split']
    assert split['curb'] != split['pavement']
    style = SceneStyle(walls=False, buses=False)
    parts = np.stack([
        render_scene(np.random.default_rng(i), 64, 128, style)[1]
        for i in range(20)
    ])
    assert PARTS.index('wall') not in parts
    assert PARTS.index('bus') not in parts


def test_part_lut_maps_every_part():
    lut = part_lut('demo_urban')
    assert lut.shape == (len(PARTS), )
    assert lut[PARTS.index('sign')] == 11  # signs belong to the pole class
    assert lut[PARTS.index('cobble')] == 0
