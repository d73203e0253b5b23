# Copyright (c) mmseg-unify contributors. All rights reserved.
"""OntologyConstrainedTTAModel: constraint, void/empty rules, TTA averaging."""
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.model import BaseModule
from mmseg.registry import DATASETS, MODELS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from mmseg_unify.models.tta import (OntologyConstrainedTTAModel,
                                    constrain_probabilities)
from mmseg_unify.ontology import Ontology, UnknownLabelIdError

register_all_modules()

MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
SCALES = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
COARSE_MAP = 'ontology_maps/maps/demo_coarse_to_demo_urban.yaml'


@MODELS.register_module(force=True)
class UnifyToyBackbone(BaseModule):
    """Two strided convolutions: output stride 4, 8 channels."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 8, 3, 2, 1))

    def forward(self, x):
        return [self.layers(x)]


def toy_segmentor(num_classes=12, seed=0):
    """A tiny EncoderDecoder with peaked, position-dependent outputs."""
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(
            type='EncoderDecoder',
            data_preprocessor=dict(
                type='SegDataPreProcessor',
                mean=MEAN,
                std=STD,
                bgr_to_rgb=True),
            backbone=dict(type='UnifyToyBackbone'),
            decode_head=dict(
                type='FCNHead',
                in_channels=8,
                channels=8,
                num_convs=0,
                concat_input=False,
                dropout_ratio=0.0,
                num_classes=num_classes,
                norm_cfg=None,
                align_corners=False),
            test_cfg=ConfigDict(mode='whole')))
    with torch.no_grad():
        model.decode_head.conv_seg.weight.mul_(20)
    return model.eval()


def tta_pipeline(scales=SCALES, flip=True):
    flips = [dict(type='RandomFlip', prob=0., direction='horizontal')]
    if flip:
        flips.append(dict(type='RandomFlip', prob=1., direction='horizontal'))
    return [
        dict(type='LoadImageFromFile'),
        dict(
            type='TestTimeAug',
            transforms=[[
                dict(type='Resize', scale_factor=r, keep_ratio=True)
                for r in scales
            ], flips, [dict(type='LoadAnnotations')],
                        [dict(type='PackSegInputs')]])
    ]


def extra_dataset(data_root, pipeline):
    return DATASETS.build(
        dict(
            type='BaseSegDataset',
            data_root=data_root,
            data_prefix=dict(
                img_path='img_dir/train', seg_map_path='ann_dir/train'),
            img_suffix='.png',
            seg_map_suffix='.png',
            pipeline=pipeline))


@pytest.fixture(scope='module')
def demo32(tmp_path_factory):
    """Demo data at 32 x 64 pixels, 3 images per extra dataset."""
    from mmseg_unify.datasets.demo_data import generate_demo_data
    root = str(tmp_path_factory.mktemp('demo32') / 'demo')
    counts = {name: dict(train=3, val=1)
              for name in ('demo_urban', 'demo_coarse', 'demo_split')}
    return generate_demo_data(root, seed=0, size=(32, 64), counts=counts)


def reference_pseudo_label(probs, raw, allowed_sets, void_sets, threshold,
                           ignore=255):
    """Per-pixel loop, straight from the rule's wording."""
    _, h, w = probs.shape
    out = np.empty((h, w), np.int64)
    for y in range(h):
        for x in range(w):
            g = int(raw[y, x])
            allowed = sorted(allowed_sets[g])
            if not allowed:
                out[y, x] = ignore
                continue
            p = [float(probs[c, y, x]) for c in allowed]
            best = int(np.argmax(p))
            if g in void_sets and p[best] < threshold:
                out[y, x] = ignore
            else:
                out[y, x] = allowed[best]
    return out


@pytest.mark.parametrize('threshold', [0.0, 0.3, 0.5, 1.0])
def test_constraint_matches_per_pixel_loop(threshold):
    rng = np.random.default_rng(int(threshold * 10))
    num_ids, num_classes, h, w = 10, 6, 9, 11
    allowed_sets = {
        g: set(np.flatnonzero(rng.random(num_classes) < 0.4).tolist())
        for g in range(num_ids)
    }
    allowed_sets[3] = set()  # no source class at all
    void_sets = {g for g in range(num_ids) if rng.random() < 0.5}
    void_sets.add(3)
    allowed = torch.zeros(num_ids, num_classes, dtype=torch.bool)
    for g, cs in allowed_sets.items():
        allowed[g, sorted(cs)] = True
    void = torch.tensor([g in void_sets for g in range(num_ids)])
    probs = torch.from_numpy(rng.random((num_classes, h, w))).float()
    probs /= probs.sum(0, keepdim=True)
    raw = torch.from_numpy(rng.integers(0, num_ids, (h, w)))
    expected = reference_pseudo_label(probs.numpy(), raw.numpy(),
                                      allowed_sets, void_sets, threshold)
    got = constrain_probabilities(probs.clone(), raw, allowed, void,
                                  threshold)
    np.testing.assert_array_equal(got.numpy(), expected)


def test_void_and_empty_set_rules():
    # classes: 0, 1, 2; raw ids: 0 -> {void}, 1 -> {0, void},
    # 2 -> {0, 1} (no void), 3 -> {} (mapped nowhere, no void)
    allowed = torch.tensor([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]],
                           dtype=torch.bool)
    void = torch.tensor([True, True, False, False])
    probs = torch.tensor([[0.1, 0.6, 0.4, 0.2, 0.3, 0.9],
                          [0.1, 0.3, 0.3, 0.2, 0.4, 0.05],
                          [0.8, 0.1, 0.3, 0.6, 0.3, 0.05]])[:, None, :]
    raw = torch.tensor([[0, 1, 1, 2, 2, 3]])
    got = constrain_probabilities(probs.clone(), raw, allowed, void, 0.5)
    # void only -> 255 even with a confident teacher; {0, void}: 0.6 >= 0.5
    # keeps class 0, 0.4 < 0.5 -> 255; no void: the best allowed class even
    # if the teacher prefers a disallowed one (0.2 vs 0.2: first wins; 0.4);
    # empty set -> 255 even when the teacher is sure
    assert got[0].tolist() == [255, 0, 255, 0, 1, 255]
    # threshold 0: void-allowed pixels always get their best allowed class
    got0 = constrain_probabilities(probs.clone(), raw, allowed, void, 0.0)
    assert got0[0].tolist() == [255, 0, 0, 0, 1, 255]


def test_demo_map_tables():
    ont = Ontology.from_file(COARSE_MAP)
    names = [c.name for c in ont.source.classes]
    row = {c.name: c.id for c in ont.extra.classes}

    def allowed_names(extra_class):
        return {names[c] for c in np.flatnonzero(
            ont.allowed[row[extra_class]])}

    assert allowed_names('unlabeled') == {'sky', 'building'}
    assert ont.void_allowed[row['unlabeled']]
    assert allowed_names('road') == {'road', 'lane_marking'}
    assert not ont.void_allowed[row['road']]
    assert allowed_names('bicycle') == set()
    assert ont.known_ids[[0, 7, 8, 11, 17, 21, 24, 26, 33]].all()
    assert not ont.known_ids[[1, 9, 25, 34]].any()


def test_raw_id_outside_taxonomy_raises_with_file(demo32, tmp_path):
    ont = Ontology.from_file(COARSE_MAP)
    ont.check_ids(torch.tensor([[0, 7], [8, 255]]), 'a.png')
    with pytest.raises(UnknownLabelIdError, match=r'a\.png.*\[9, 41\]'):
        ont.check_ids(torch.tensor([[0, 9], [41, 8]]), 'a.png')

    # through the model: a label file with id 99 (not in demo_coarse)
    root = str(tmp_path / 'bad')
    shutil.copytree(osp.join(demo32, 'demo_coarse'), root)
    bad = osp.join(root, 'ann_dir', 'train', '000001.png')
    label = cv2.imread(bad, cv2.IMREAD_UNCHANGED)
    label[3, 5] = 99
    cv2.imwrite(bad, label)
    tta = OntologyConstrainedTTAModel(toy_segmentor(), ontology=COARSE_MAP)
    data = extra_dataset(root, tta_pipeline([1.0], flip=False))
    tta.test_step(pseudo_collate([data[0]]))  # a clean file passes
    with pytest.raises(UnknownLabelIdError) as err:
        tta.test_step(pseudo_collate([data[1]]))
    assert bad in str(err.value) and '[99]' in str(err.value)


def reference_tta_probs(model, img_path, scales, flip, mmseg_route):
    """Average softmax over scales x flips, computed step by step."""
    img = cv2.imread(img_path, cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    mean = torch.tensor(MEAN)[:, None, None]
    std = torch.tensor(STD)[:, None, None]
    total, count = 0, 0
    for r in scales:
        for flipped in ([False, True] if flip else [False]):
            x = cv2.resize(img, (int(w * r + 0.5), int(h * r + 0.5)),
                           interpolation=cv2.INTER_LINEAR)
            if flipped:
                x = x[:, ::-1]
            t = torch.from_numpy(x[..., ::-1].copy()).permute(2, 0, 1)
            t = ((t.float() - mean) / std)[None]
            with torch.no_grad():
                logits = model.decode_head.forward(model.extract_feat(t))
            if mmseg_route:  # first to the augmented input size
                logits = F.interpolate(
                    logits, x.shape[:2], mode='bilinear', align_corners=False)
            if flipped:
                logits = logits.flip(-1)
            logits = F.interpolate(
                logits, (h, w), mode='bilinear', align_corners=False)
            total = total + logits.softmax(dim=1)[0]
            count += 1
    return total / count


@pytest.mark.parametrize('direct_resize', [True, False])
def test_flip_scale_average_matches_reference(demo32, direct_resize):
    model = toy_segmentor()
    tta = OntologyConstrainedTTAModel(
        model,
        ontology=COARSE_MAP,
        direct_resize=direct_resize,
        return_probs=True).eval()
    assert tta._direct_route_possible() == direct_resize
    data = extra_dataset(
        osp.join(demo32, 'demo_coarse'), tta_pipeline(SCALES, True))
    batch = pseudo_collate([data[0], data[2]])  # two images per batch
    results = tta.test_step(batch)
    ont = tta.ontology
    allowed_sets = {
        g: set(np.flatnonzero(ont.allowed[g]).tolist())
        for g in range(len(ont.allowed))
    }
    void_sets = set(np.flatnonzero(ont.void_allowed).tolist())
    for idx, res in zip([0, 2], results):
        info = data.get_data_info(idx)
        ref = reference_tta_probs(model, info['img_path'], SCALES, True,
                                  mmseg_route=not direct_resize)
        assert res.seg_probs.data.shape == (12, 32, 64)
        torch.testing.assert_close(
            res.seg_probs.data, ref, atol=2e-5, rtol=1e-4)
        np.testing.assert_array_equal(res.unconstrained_sem_seg.data[0],
                                      ref.argmax(0))
        raw = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
        expected = reference_pseudo_label(ref.numpy(), raw, allowed_sets,
                                          void_sets, 0.5)
        np.testing.assert_array_equal(res.pred_sem_seg.data[0], expected)
        assert res.metainfo['img_path'] == info['img_path']
        assert tuple(res.metainfo['ori_shape']) == (32, 64)


def test_direct_and_mmseg_routes_agree(demo32):
    model = toy_segmentor(seed=1)
    data = extra_dataset(
        osp.join(demo32, 'demo_split'), tta_pipeline([0.75, 1.5], True))
    outs = []
    for direct in (True, False):
        tta = OntologyConstrainedTTAModel(
            model, priors=False, direct_resize=direct, return_probs=True)
        outs.append(tta.test_step(pseudo_collate([data[1]]))[0])
    # one bilinear resize instead of two: close, not equal
    diff = (outs[0].seg_probs.data - outs[1].seg_probs.data).abs()
    assert 0 < diff.mean() < 0.005
    same = outs[0].pred_sem_seg.data == outs[1].pred_sem_seg.data
    assert same.float().mean() > 0.97


def test_no_priors_is_plain_tta_argmax(demo32):
    tta = OntologyConstrainedTTAModel(
        toy_segmentor(), priors=False, return_probs=True)
    pipeline = tta_pipeline([1.0, 2.0], True)
    pipeline[1]['transforms'].pop(2)  # no labels needed without priors
    data = extra_dataset(osp.join(demo32, 'demo_split'), pipeline)
    res = tta.test_step(pseudo_collate([data[0]]))[0]
    assert 'gt_sem_seg' not in res
    torch.testing.assert_close(res.pred_sem_seg.data[0],
                               res.seg_probs.data.argmax(0))
    assert (res.pred_sem_seg.data != 255).all()
    with pytest.raises(ValueError, match='ontology map'):
        OntologyConstrainedTTAModel(toy_segmentor(), priors=True)


def test_merge_preds_equals_streaming(demo32):
    """The SegTTAModel API (all predictions at once) gives the same."""
    model = toy_segmentor()
    tta = OntologyConstrainedTTAModel(
        model, ontology=COARSE_MAP, direct_resize=False)
    data = extra_dataset(
        osp.join(demo32, 'demo_coarse'), tta_pipeline([0.5, 1.0], True))
    batch = pseudo_collate([data[1]])
    streamed = tta.test_step(batch)[0]
    with torch.no_grad():
        per_aug = [
            model.test_step({k: v[i]
                             for k, v in batch.items()})
            for i in range(len(batch['inputs']))
        ]
    merged = tta.merge_preds([list(p) for p in zip(*per_aug)])[0]
    torch.testing.assert_close(merged.pred_sem_seg.data,
                               streamed.pred_sem_seg.data)


def test_registered_and_built_from_config():
    tta = MODELS.build(
        dict(
            type='OntologyConstrainedTTAModel',
            module=dict(
                type='EncoderDecoder',
                backbone=dict(type='UnifyToyBackbone'),
                decode_head=dict(
                    type='FCNHead',
                    in_channels=8,
                    channels=8,
                    num_convs=0,
                    concat_input=False,
                    num_classes=12,
                    norm_cfg=None)),
            ontology=COARSE_MAP,
            void_threshold=0.7))
    assert isinstance(tta, OntologyConstrainedTTAModel)
    assert tta.settings()['void_threshold'] == 0.7
    assert osp.isfile(tta.settings()['ontology'])
