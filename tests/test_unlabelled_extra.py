# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Unlabelled extra data (Cityscapes sequence / train_extra): images without
ground truth, an optional prior mask, pseudo-labelled by tools/pseudo_label.py
through the maps ``unlabelled_to_<source>``.

The fixture is a tiny Cityscapes sequence tree (2 cities x 2 frames) with a
per-camera mask, per-city masks and per-image masks; labels with the mask
are compared with an independent ``--no-priors`` run of the same teacher.
"""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmseg.registry import DATASETS, TRANSFORMS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import (DEMO_TEACHER, ROOT, load_tool, pseudo_label_run,
                     save_seeded_checkpoint)
from mmseg_unify.ontology import Ontology
from mmseg_unify.utils.label_io import label_path, read_label

register_all_modules()

DATASETS_DIR = osp.join(ROOT, 'configs', 'unify', 'datasets')
DEMO = osp.join(DATASETS_DIR, 'demo_sequence_unlabelled.py')
CITYSCAPES = ('cityscapes_sequence_unlabelled.py',
              'cityscapes_train_extra_unlabelled.py')
SEQUENCE = 'leftImg8bit_sequence/train'
SUFFIX = '_leftImg8bit.png'
CITIES = ('aachen', 'bochum')
H, W = 32, 48


def _write(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, array), path


def _box(top, left, value=255, shape=(H, W)):
    mask = np.zeros(shape, np.uint8)
    mask[top:, left:] = value
    return mask


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Images, masks (per camera, per city, per image) and a teacher."""
    base = tmp_path_factory.mktemp('unlabelled')
    data = base / 'cityscapes'
    rng = np.random.default_rng(0)
    images = []
    for c, city in enumerate(CITIES):
        _write(str(data / 'ego' / f'{city}.png'), _box(20 + 4 * c, 0))
        for frame in range(2):
            stem = f'{city}/{city}_000000_{frame:06d}'
            _write(str(data / SEQUENCE / f'{stem}{SUFFIX}'),
                   rng.integers(0, 255, (H, W, 3), dtype=np.uint8))
            _write(str(data / 'masks' / f'{stem}_mask.png'),
                   _box(8 * frame + 4 * c, 10, value=1))
            images.append(stem)
    _write(str(data / 'ego_camera.png'), _box(24, 8))
    _write(str(data / 'ego_small.png'), _box(4, 4, shape=(H // 2, W)))
    teacher = save_seeded_checkpoint(DEMO_TEACHER, str(base / 't.pth'))
    return dict(base=base, data=str(data), images=images, teacher=teacher)


def run(setup, out, *options, flags=()):
    """``tools/pseudo_label.py`` on the fixture; ``{stem: label}``."""
    out = str(setup['base'] / out)
    pseudo_label_run([
        osp.join(ROOT, DEMO_TEACHER), setup['teacher'], '--extra', DEMO,
        '--out', out, '--num-workers', '0', '--scales', '1', '--no-flip',
        '--work-dir', str(setup['base'] / 'work'), *flags, '--cfg-options',
        f'test_dataloader.dataset.data_root={setup["data"]}', *options
    ])
    return {stem: read_label(osp.join(out, stem + '.png'))
            for stem in setup['images']}


def read_mask(setup, name):
    return cv2.imread(osp.join(setup['data'], name), cv2.IMREAD_UNCHANGED) > 0


@pytest.fixture(scope='module')
def no_priors(setup):
    """The teacher's own argmax everywhere (Naive Student, no mask)."""
    return run(setup, 'no_priors', 'test_dataloader.dataset.prior_mask='
               'ego_camera.png', flags=['--no-priors'])


# ----------------------------------------------------------------- maps
@pytest.mark.parametrize('source',
                         ['cityscapes', 'mapillary', 'offroad', 'demo_urban'])
def test_unlabelled_map_allows_every_source_class_and_masks_nothing(source):
    onto = Ontology.from_file(f'unlabelled_to_{source}', warn=False)
    assert not onto.messages
    assert onto.extra.ids == (0, 1)
    assert onto.allowed[0].all() and not onto.void_allowed[0]
    assert not onto.allowed[1].any() and onto.void_allowed[1]
    assert onto.allowed_names(1) == ['void']


# ------------------------------------------------------- through the tool
def test_masked_pixels_are_ignored_and_the_rest_is_the_teachers_argmax(
        setup, no_priors):
    labels = run(setup, 'camera',
                 'test_dataloader.dataset.prior_mask=ego_camera.png')
    mask = read_mask(setup, 'ego_camera.png')
    assert sorted(labels) == sorted(setup['images'])  # every image
    for stem, label in labels.items():
        assert label.shape == (H, W) and label.dtype == np.uint8, stem
        np.testing.assert_array_equal(label == 255, mask, err_msg=stem)
        np.testing.assert_array_equal(label[~mask], no_priors[stem][~mask])
        assert (no_priors[stem] != 255).all()  # no-priors labels the mask


def test_per_image_masks(setup, no_priors):
    labels = run(setup, 'image',
                 'test_dataloader.dataset.data_prefix.seg_map_path=masks',
                 'test_dataloader.dataset.seg_map_suffix=_mask.png')
    masks = {s: read_mask(setup, f'masks/{s}_mask.png') for s in labels}
    assert len({m.sum() for m in masks.values()}) == len(masks)  # differ
    for stem, label in labels.items():
        np.testing.assert_array_equal(label == 255, masks[stem])
        np.testing.assert_array_equal(label[~masks[stem]],
                                      no_priors[stem][~masks[stem]])


# ------------------------------------------------- dataset and transform
def build(setup, **kwargs):
    cfg = dict(
        type='UnlabelledDataset', data_root=setup['data'],
        data_prefix=dict(img_path=SEQUENCE), img_suffix=SUFFIX,
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadPriorMask')])
    return DATASETS.build(dict(cfg, **kwargs))


def test_per_city_masks(setup):
    dataset = build(setup, prior_mask='ego/{folder}.png')
    for i, stem in enumerate(setup['images']):
        city = stem.split('/')[0]
        assert dataset.get_data_info(i)['seg_map_path'] == osp.join(
            setup['data'], 'ego', f'{city}.png')
        expected = read_mask(setup, f'ego/{city}.png').astype(np.uint8)
        np.testing.assert_array_equal(dataset[i]['gt_seg_map'], expected)


def test_mask_of_the_wrong_size_names_the_file_and_both_sizes(setup):
    dataset = build(setup, prior_mask='ego_small.png')
    with pytest.raises(ValueError) as info:
        dataset[0]
    message = str(info.value)
    assert osp.join(setup['data'], 'ego_small.png') in message
    assert f'{W}x{H // 2}' in message and f'{W}x{H}' in message
    assert dataset.get_data_info(0)['img_path'] in message


def test_missing_per_image_mask_names_the_file(setup):
    with pytest.raises(FileNotFoundError) as info:
        build(setup, seg_map_suffix='_nomask.png',
              data_prefix=dict(img_path=SEQUENCE, seg_map_path='masks'))
    expected = osp.join(setup['data'], 'masks', setup['images'][0])
    assert f'{expected}_nomask.png' in str(info.value)
    assert '4 of 4 images' in str(info.value)


def test_no_mask_gives_a_label_of_unlabelled_ids(setup):
    dataset = build(setup)
    assert len(dataset) == 4 and dataset.label_map is None
    sample = dataset[0]
    assert 'seg_map_path' not in dataset.get_data_info(0)
    assert sample['gt_seg_map'].shape == (H, W)
    assert (sample['gt_seg_map'] == 0).all()
    assert sample['seg_fields'] == ['gt_seg_map']
    assert sample['reduce_zero_label'] is False


def test_prior_mask_and_per_image_masks_exclude_each_other(setup):
    with pytest.raises(ValueError, match='not both'):
        build(setup, prior_mask='ego_camera.png',
              data_prefix=dict(img_path=SEQUENCE, seg_map_path='masks'))


def test_reduce_zero_label_is_refused(setup):
    transform = TRANSFORMS.build(dict(type='LoadPriorMask'))
    results = dict(ori_shape=(H, W), reduce_zero_label=True, seg_fields=[])
    with pytest.raises(ValueError, match='reduce_zero_label=False'):
        transform(results)


# ------------------------------------------------------- provided configs
@pytest.mark.parametrize('name', CITYSCAPES)
def test_cityscapes_configs_compose_and_name_labels_as_students_read(
        name, tmp_path):
    tool = load_tool('pseudo_label')
    teacher = osp.join(ROOT, 'configs', 'unify', 'unify-teacher_segformer_'
                       'mit-b5_8xb1-160k_cityscapes-1024x1024.py')
    args = tool.parse_args([teacher, 'ckpt.pth', '--extra',
                            osp.join(DATASETS_DIR, name), '--out',
                            str(tmp_path / 'out')])
    cfg = tool.build_config(args)
    dataset = cfg.test_dataloader.dataset
    assert cfg.model.ontology == 'unlabelled_to_cityscapes'
    assert dataset.type == 'UnlabelledDataset' and not dataset.prior_mask
    steps = [g[0]['type'] for g in dataset.pipeline[-1]['transforms']]
    assert steps == ['Resize', 'RandomFlip', 'LoadPriorMask', 'PackSegInputs']
    folder = dataset.data_prefix.img_path
    assert folder == {CITYSCAPES[0]: SEQUENCE,
                      CITYSCAPES[1]: 'leftImg8bit/train_extra'}[name]
    image = tmp_path / folder / 'bonn' / f'bonn_000001_000019{SUFFIX}'
    _write(str(image), np.zeros((4, 8, 3), np.uint8))
    built = DATASETS.build(dict(dataset, data_root=str(tmp_path)))
    assert [built.get_data_info(0)['img_path']] == [str(image)]
    # the label name a student dataset (img_suffix, seg_map_suffix='.png')
    # reads back for this image
    assert label_path('OUT', str(image), built.data_prefix['img_path'],
                      SUFFIX) == 'OUT/bonn/bonn_000001_000019.png'
    for source in ('cityscapes', 'mapillary', 'offroad'):
        Ontology.from_file(f'unlabelled_to_{source}', warn=False)
