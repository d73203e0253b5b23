# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Region pooling of constrained scores over the extra labels' regions."""
from collections import deque

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

import mmseg_unify  # noqa: F401
from mmseg_unify.models.region_pooling import (RULES, label_regions,
                                               pool_regions_, pooled_ids)
from mmseg_unify.models.tta import (OntologyConstrainedTTAModel,
                                    constrain_probabilities)
from mmseg_unify.ontology import Ontology

COARSE_MAP = 'ontology_maps/maps/demo_coarse_to_demo_urban.yaml'
COARSE_IDS = [0, 7, 8, 11, 17, 21, 24, 26, 33, 255]


class StubTeacher(nn.Module):
    """Stands in for a segmentor: only ``out_channels`` is read."""
    out_channels = 12

    def test_step(self, data):  # BaseTTAModel asks for it
        raise NotImplementedError


def blocky_labels(rng, ids, shape=(24, 32), block=4):
    """Random raw ids in blocks, with single-pixel specks (many regions,
    several components per id, diagonal-only contacts)."""
    h, w = shape
    small = rng.choice(ids, (h // block, w // block))
    raw = np.kron(small, np.ones((block, block), np.int64))
    specks = rng.random(shape) < 0.05
    raw[specks] = rng.choice(ids, int(specks.sum()))
    return torch.from_numpy(raw)


def components_bfs(raw, eligible, connectivity):
    """Independent connected components: breadth-first search per pixel."""
    h, w = raw.shape
    steps = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if connectivity == 8:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    out = np.zeros((h, w), np.int64)
    count = 0
    for y in range(h):
        for x in range(w):
            if not eligible[y, x] or out[y, x]:
                continue
            count += 1
            out[y, x] = count
            queue = deque([(y, x)])
            while queue:
                cy, cx = queue.popleft()
                for dy, dx in steps:
                    ny, nx = cy + dy, cx + dx
                    if 0 <= ny < h and 0 <= nx < w and eligible[ny, nx] \
                            and not out[ny, nx] \
                            and raw[ny, nx] == raw[cy, cx]:
                        out[ny, nx] = count
                        queue.append((ny, nx))
    return out, count


def reference_pooling(probs, raw, pooled, weight, keep=(), connectivity=4):
    """Per-region python loop in float64, from the formula's wording."""
    p = probs.double().numpy()
    raw_np = raw.numpy()
    eligible = np.array([[bool(pooled[g]) for g in row] for row in raw_np])
    if keep:
        eligible &= ~np.isin(p.argmax(axis=0), list(keep))
    regions, count = components_bfs(raw_np, eligible, connectivity)
    out = p.copy()
    for r in range(1, count + 1):
        ys, xs = np.nonzero(regions == r)
        mean = p[:, ys, xs].mean(axis=1)
        for y, x in zip(ys, xs):
            out[:, y, x] = (1 - weight) * p[:, y, x] + weight * mean
    return out


def random_case(seed, ids=COARSE_IDS, num_classes=12):
    rng = np.random.default_rng(seed)
    raw = blocky_labels(rng, ids)
    probs = torch.from_numpy(
        rng.random((num_classes, *raw.shape)).astype(np.float32))
    pooled = torch.zeros(max(ids) + 1, dtype=torch.bool)
    pooled[list(rng.choice(ids, len(ids) // 2, replace=False))] = True
    return rng, raw, probs, pooled


@pytest.mark.parametrize('connectivity', [4, 8])
def test_regions_are_the_connected_components_of_each_id(connectivity):
    rng, raw, _, pooled = random_case(0)
    eligible = pooled[raw]
    got, count = label_regions(raw, eligible, connectivity)
    ref, ref_count = components_bfs(raw.numpy(), eligible.numpy(),
                                    connectivity)
    assert count == ref_count
    # the same partition, up to the numbering of the regions
    pairs = set(zip(got.numpy().ravel(), ref.ravel()))
    assert len(pairs) == count + 1
    assert (got.numpy() == 0).tolist() == (ref == 0).tolist()


@pytest.mark.parametrize('weight', [0.3, 0.5, 1.0])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_pooling_equals_a_per_region_loop(weight, seed):
    _, raw, probs, pooled = random_case(seed)
    expected = reference_pooling(probs, raw, pooled, weight)
    got = pool_regions_(probs.clone(), raw, pooled, weight)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_keep_classes_are_neither_pooled_nor_vote():
    _, raw, probs, pooled = random_case(3)
    keep = [1, 11]
    got = pool_regions_(probs.clone(), raw, pooled, 1.0, keep=keep)
    expected = reference_pooling(probs, raw, pooled, 1.0, keep=keep)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)
    kept = torch.isin(probs.max(dim=0).indices, torch.tensor(keep))
    assert kept.any()
    assert torch.equal(got[:, kept], probs[:, kept])


def test_ids_the_rule_leaves_out_keep_their_scores_exactly():
    _, raw, probs, pooled = random_case(4)
    got = pool_regions_(probs.clone(), raw, pooled, 1.0)
    outside = ~pooled[raw]
    assert outside.any() and (~outside).any()
    assert torch.equal(got[:, outside], probs[:, outside])
    # w = 1: every pooled region holds one score vector (its mean)
    regions, count = label_regions(raw, ~outside)
    for r in range(1, count + 1):
        inside = got[:, regions == r]
        assert torch.equal(inside, inside[:, :1].expand_as(inside))


def test_weight_zero_leaves_the_scores_untouched():
    _, raw, probs, pooled = random_case(5)
    got = pool_regions_(probs.clone(), raw, pooled, 0.0)
    assert torch.equal(got, probs)
    with pytest.raises(ValueError, match='region weight'):
        pool_regions_(probs.clone(), raw, pooled, 1.5)


def test_rules_on_the_demo_coarse_map():
    ontology = Ontology.from_file(COARSE_MAP, warn=False)
    t = ontology.to_tensors()
    names = {c.id: c.name for c in ontology.extra.classes}

    def selected(rule):
        ids = pooled_ids(t['allowed'], t['void_allowed'], rule)
        return sorted(names[g] for g in torch.nonzero(ids).ravel().tolist())

    assert selected('ambiguous') == [
        'construction', 'road', 'unlabeled', 'vehicle']
    assert selected('ambiguous-no-void') == ['construction', 'road',
                                             'vehicle']
    assert 'bicycle' not in selected('all')  # no source class: void only
    assert set(selected('all')) >= set(selected('ambiguous')) | {'pole'}
    with pytest.raises(ValueError, match='region rule'):
        pooled_ids(t['allowed'], t['void_allowed'], 'everything')
    assert RULES == ('all', 'ambiguous', 'ambiguous-no-void')


def coarse_sample(raw):
    sample = SegDataSample(metainfo=dict(seg_map_path='x.png'))
    sample.gt_sem_seg = PixelData(data=raw[None])
    return sample


def pseudo_label_model(**kwargs):
    return OntologyConstrainedTTAModel(StubTeacher(), ontology=COARSE_MAP,
                                       **kwargs)


@pytest.mark.parametrize('threshold', [0.0, 0.3, 0.5])
def test_weight_zero_is_the_plain_constraint_bit_for_bit(threshold):
    _, raw, probs, _ = random_case(6)
    probs = probs.softmax(dim=0)
    ontology = Ontology.from_file(COARSE_MAP, warn=False)
    t = ontology.to_tensors()
    expected = constrain_probabilities(probs.clone(), raw, t['allowed'],
                                       t['void_allowed'], threshold)
    model = pseudo_label_model(void_threshold=threshold, region_weight=0.0,
                               region_rule='all', region_keep=['pole'])
    got = model.label_from_probs(probs.clone(), coarse_sample(raw),
                                 probs.argmax(dim=0))
    assert torch.equal(got, expected)
    plain = pseudo_label_model(void_threshold=threshold)
    assert model.settings() == plain.settings()  # manifests unchanged
    assert not any(k.startswith('region') for k in model.settings())


def test_pooling_model_follows_the_reference_and_records_its_settings():
    _, raw, probs, _ = random_case(7)
    probs = probs.softmax(dim=0)
    model = pseudo_label_model(region_weight=1.0, region_rule='all',
                               region_keep=['lane_marking'])
    t = model.ontology.to_tensors()
    masked = probs.clone().masked_fill_(
        ~t['allowed'][raw].permute(2, 0, 1), 0)
    pooled = reference_pooling(masked, raw,
                               pooled_ids(t['allowed'], t['void_allowed'],
                                          'all'), 1.0, keep=[1])
    expected = constrain_probabilities(
        torch.from_numpy(pooled).float(), raw, t['allowed'],
        t['void_allowed'])
    got = model.label_from_probs(probs.clone(), coarse_sample(raw),
                                 probs.argmax(dim=0))
    assert (got != expected).float().mean() < 1e-3  # float32 round-off
    settings = model.settings()
    assert settings['region_weight'] == 1.0
    assert settings['region_rule'] == 'all'
    assert settings['region_keep'] == ['lane_marking']
    assert settings['region_connectivity'] == 4


def test_bad_region_settings_are_refused():
    with pytest.raises(ValueError, match='no source classes'):
        pseudo_label_model(region_weight=1.0, region_keep=['lane'])
    with pytest.raises(ValueError, match='region_rule'):
        pseudo_label_model(region_weight=1.0, region_rule='most')
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        pseudo_label_model(region_weight=2.0)
    with pytest.raises(ValueError, match='needs the ontology priors'):
        pseudo_label_model(region_weight=0.5, priors=False)


def test_tool_flags_reach_the_model():
    from helpers import load_tool
    tool = load_tool('pseudo_label')
    args = tool.parse_args([
        'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py', 'x.pth',
        '--extra', 'configs/unify/datasets/demo_coarse_extra.py', '--out',
        'work_dirs/never_written', '--region-weight', '0.5',
        '--region-rule', 'ambiguous-no-void', '--region-keep', 'lane_marking'
    ])
    model = tool.build_config(args).model
    assert model.region_weight == 0.5
    assert model.region_rule == 'ambiguous-no-void'
    assert model.region_keep == ['lane_marking']
    with pytest.raises(SystemExit):
        tool.parse_args(['c', 'k', '--extra', 'e', '--out', 'o',
                         '--region-weight', '0.5', '--no-priors'])


def test_unify_demo_passes_pooling_to_the_priors_labels_only(monkeypatch):
    from helpers import load_tool
    demo = load_tool('unify_demo')
    args = demo.parse_args(['--region-weight', '1', '--region-keep',
                            'lane_marking'])
    assert demo.region_tag(args) == \
        '_region-w1-ambiguous-no-void-keep-lane_marking'
    assert demo.region_tag(demo.parse_args([])) == ''
    from mmseg_unify.experiments import unify_demo_steps
    calls = []
    monkeypatch.setattr(unify_demo_steps, 'run', calls.append)
    tta = dict(scales=[1.0], flip=False)
    for priors in (True, False):
        demo.pseudo_label('c.pth', 'demo_coarse', 'pl', priors, tta,
                          demo.region_flags(args))
    assert calls[0][-6:] == ['--region-weight', '1', '--region-rule',
                             'ambiguous-no-void', '--region-keep',
                             'lane_marking']
    assert '--region-weight' not in calls[1]
