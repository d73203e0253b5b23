# Copyright (c) mmseg-unify contributors. All rights reserved.
"""TTA of class *scores* (Mask2Former's ``seg_logits``): each augmentation's
scores are normalised per pixel, never softmaxed, before averaging, the
ontology constraint and the void threshold.

The arithmetic is tested on a fake segmentor with known scores (no mmdet);
a tiny Mask2Former built on CPU (needs mmdet) pseudo-labels a demo fixture.
"""
import types

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.model import BaseModule
from mmengine.structures import PixelData
from mmseg.models.decode_heads import FCNHead
from mmseg.registry import DATASETS, MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from mmseg_unify.models.streaming_tta import (StreamingSegTTAModel,
                                              accumulate_normalised_,
                                              output_kind)
from mmseg_unify.models.tta import OntologyConstrainedTTAModel
from mmseg_unify.ontology import Ontology

register_all_modules()
COARSE_MAP = 'ontology_maps/maps/demo_coarse_to_demo_urban.yaml'
M2F_CONFIG = ('mmseg::mask2former/mask2former_swin-b-in22k-384x384-pre_'
              '8xb2-90k_cityscapes-512x1024.py')
C = 12  # demo_urban classes
# raw demo_coarse ids: 0 unlabeled -> {building, sky, void}; 7 road ->
# {road, lane_marking}; 26 vehicle -> {car, truck, bus}; 33 -> {void}
RAW = torch.tensor([[0, 0, 7, 7, 26, 33], [0, 7, 26, 26, 0, 33],
                    [26, 0, 0, 7, 7, 26], [7, 26, 0, 33, 0, 7]])


def known_scores(num_augs=3, seed=0):
    """Non-negative ``C x 4 x 6`` scores per augmentation, as Mask2Former's:
    mostly one class near 1, the rest small; one all-zero pixel."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for a in range(num_augs):
        s = torch.rand(C, *RAW.shape, generator=g) * 0.05
        winner = torch.randint(0, C, RAW.shape, generator=g)
        winner[0, 0] = 3  # unlabeled pixel, confidently building
        s.scatter_(0, winner[None], 0.6 + 0.6 * torch.rand(
            1, *RAW.shape, generator=g))
        if a == 1:
            s[:, 2, 3] = 0  # no evidence at all in this augmentation
        out.append(s)
    return out


class ScoreSegmentor(nn.Module):
    """Returns the given scores, one tensor per augmentation, in order."""

    def __init__(self, scores):
        super().__init__()
        self.scores, self.calls = scores, 0
        self.out_channels = scores[0].shape[0]

    def test_step(self, data):
        sample = SegDataSample(metainfo=data['data_samples'][0].metainfo)
        scores = self.scores[self.calls].clone()
        sample.seg_logits = PixelData(data=scores)
        sample.pred_sem_seg = PixelData(data=scores.argmax(0)[None])
        self.calls += 1
        return [sample]


def fake_batch(num_augs):
    """A one-image TTA batch (``{key: [augmentation][image]}``) whose
    samples carry the raw extra label."""
    samples = []
    for _ in range(num_augs):
        s = SegDataSample(metainfo=dict(
            img_path='a.png', seg_map_path='a_label.png', ori_shape=(4, 6)))
        s.gt_sem_seg = PixelData(data=RAW[None].clone())
        samples.append([s])
    return dict(inputs=[[torch.zeros(3, 4, 6)]] * num_augs,
                data_samples=samples)


def reference_mean(scores):
    """Per pixel: each augmentation's scores divided by their sum (an
    all-zero pixel contributes nothing), then the mean."""
    _, h, w = scores[0].shape
    out = np.zeros((C, h, w))
    for y in range(h):
        for x in range(w):
            for s in scores:
                v = s[:, y, x].double().numpy()
                if v.sum() > 0:
                    out[:, y, x] += v / v.sum()
    return torch.from_numpy(out / len(scores)).float()


def reference_labels(probs, raw, ontology, threshold=0.5, ignore=255):
    """Per pixel, the rule's wording: best allowed class, or ``ignore`` when
    none is allowed or void is allowed and the best is below threshold."""
    _, h, w = probs.shape
    out = np.empty((h, w), np.int64)
    for y in range(h):
        for x in range(w):
            g = int(raw[y, x])
            allowed = np.flatnonzero(ontology.allowed[g])
            if not len(allowed):
                out[y, x] = ignore
                continue
            best = allowed[int(np.argmax(probs[allowed, y, x]))]
            unsure = ontology.void_allowed[g] and probs[best, y, x] < threshold
            out[y, x] = ignore if unsure else best
    return out


def run(scores, kind, **kwargs):
    tta = OntologyConstrainedTTAModel(
        ScoreSegmentor(scores), ontology=COARSE_MAP, return_probs=True,
        scores=kind, **kwargs)
    return tta, tta.test_step(fake_batch(len(scores)))[0]


# ------------------------------------------------ arithmetic (no mmdet)
def test_scores_are_normalised_per_pixel_not_softmaxed():
    scores = known_scores()
    tta, res = run(scores, 'scores')
    ref = reference_mean(scores)
    torch.testing.assert_close(res.seg_probs.data, ref, rtol=1e-5, atol=1e-7)
    ontology = Ontology.from_file(COARSE_MAP)
    np.testing.assert_array_equal(
        res.pred_sem_seg.data[0],
        reference_labels(ref.numpy(), RAW, ontology))
    # the softmax route (what MMSeg's SegTTAModel does) is another result
    _, soft = run(scores, 'logits')
    softmax_ref = torch.stack([s.softmax(0) for s in scores]).mean(0)
    torch.testing.assert_close(soft.seg_probs.data, softmax_ref)
    assert (res.seg_probs.data - soft.seg_probs.data).abs().max() > 0.3
    # a confident "unlabeled" pixel keeps its label only without softmax:
    # the softmax of scores in [0, 1.2] stays far below the void threshold
    assert res.pred_sem_seg.data[0, 0, 0] == 3
    assert soft.pred_sem_seg.data[0, 0, 0] == 255
    assert soft.seg_probs.data.max() < 0.5


def test_all_zero_pixel_contributes_no_vote():
    scores = known_scores()
    total = accumulate_normalised_(None, scores[1].clone())
    assert torch.equal(total[:, 2, 3], torch.zeros(C))
    sums = total.sum(0)
    sums[2, 3] = 1
    torch.testing.assert_close(sums, torch.ones_like(sums))


def test_banded_sum_equals_one_pass():
    scores = [torch.rand(5, 19, 7) for _ in range(3)]
    total = None
    for s in scores:
        total = accumulate_normalised_(total, s.clone(), band=4)
    expected = sum(s / s.sum(0, keepdim=True) for s in scores)
    torch.testing.assert_close(total, expected)


def test_merge_preds_equals_streaming_with_scores():
    scores = known_scores(seed=1)
    tta, streamed = run(scores, 'scores')
    per_aug = [ScoreSegmentor([s]).test_step(
        {'data_samples': [SegDataSample(metainfo=dict(ori_shape=(4, 6)))]})[0]
        for s in scores]
    for p in per_aug:
        p.gt_sem_seg = PixelData(data=RAW[None].clone())
    merged = tta.merge_preds([per_aug])[0]
    torch.testing.assert_close(merged.pred_sem_seg.data,
                               streamed.pred_sem_seg.data)


def test_negative_scores_are_refused():
    logits = [torch.randn(C, *RAW.shape)]
    with pytest.raises(ValueError, match="scores='logits'"):
        run(logits, 'scores')


def test_option_choice_and_settings():
    fcn = FCNHead(in_channels=4, channels=4, num_classes=C, num_convs=0,
                  concat_input=False)
    assert output_kind(types.SimpleNamespace(decode_head=fcn)) == 'logits'
    assert output_kind(nn.Module()) == 'logits'
    scores = known_scores(num_augs=1)
    auto = StreamingSegTTAModel(ScoreSegmentor(scores))
    assert auto.scores == 'logits'
    # the logits route's settings (manifest identity) are those of before
    assert set(auto.settings()) == {'type', 'direct_resize', 'num_classes'}
    tta, _ = run(scores, 'scores', void_threshold=0.6)
    assert tta.settings()['scores'] == 'scores'
    assert tta.settings()['void_threshold'] == 0.6
    with pytest.raises(ValueError, match='scores must be one of'):
        StreamingSegTTAModel(ScoreSegmentor(scores), scores='probs')


# ---------------------------------------- a tiny Mask2Former (needs mmdet)
@pytest.fixture(scope='module')
def demo_coarse(tmp_path_factory):
    """demo_coarse at 32 x 64 pixels, 2 images (for the tiny Mask2Former:
    skipped first without mmdet)."""
    pytest.importorskip('mmdet', reason='Mask2Former needs mmdet 3.x '
                        '(tools/install.sh --with-mask2former)')
    from mmseg_unify.datasets.demo_data import generate_demo_data
    root = str(tmp_path_factory.mktemp('m2f') / 'demo')
    counts = {n: dict(train=2, val=1)
              for n in ('demo_urban', 'demo_coarse', 'demo_split')}
    generate_demo_data(root, seed=0, size=(32, 64), counts=counts)
    return DATASETS.build(dict(
        type='BaseSegDataset', data_root=f'{root}/demo_coarse',
        data_prefix=dict(img_path='img_dir/train',
                         seg_map_path='ann_dir/train'),
        img_suffix='.png', seg_map_suffix='.png',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='TestTimeAug', transforms=[
                [dict(type='Resize', scale_factor=r, keep_ratio=True)
                 for r in (1.0, 1.5)],
                [dict(type='RandomFlip', prob=p, direction='horizontal')
                 for p in (0., 1.)],
                [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]])
        ]))


@MODELS.register_module(force=True)
class UnifyTinyPyramid(BaseModule):
    """Four 8-channel feature maps at strides 4, 8, 16, 32."""

    def __init__(self):
        super().__init__()
        self.stages = nn.ModuleList(
            nn.Conv2d(3 if i == 0 else 8, 8, k, k)
            for i, k in enumerate((4, 2, 2, 2)))

    def forward(self, x):
        outs = []
        for stage in self.stages:
            x = stage(x).relu()
            outs.append(x)
        return outs


def tiny_mask2former(num_classes, dims=16, seed=0):
    """MMSeg's Mask2Former head, as its Cityscapes config has it, at toy
    size: 16 channels, 1 pixel-decoder and 2 decoder layers, 6 queries; the
    class embedding scaled up so that the scores are peaked as a trained
    model's are."""
    from mmengine.hub import get_config
    head = get_config(M2F_CONFIG).model.decode_head
    head.update(in_channels=[8] * 4, feat_channels=dims, out_channels=dims,
                num_classes=num_classes, num_queries=6)
    head.loss_cls.class_weight = [1.0] * num_classes + [0.1]
    dec = head.pixel_decoder
    dec.norm_cfg.num_groups = 4
    dec.encoder.num_layers = 1
    dec.encoder.layer_cfg.self_attn_cfg.update(embed_dims=dims, num_heads=2)
    dec.encoder.layer_cfg.ffn_cfg.update(embed_dims=dims,
                                         feedforward_channels=32)
    dec.positional_encoding.num_feats = dims // 2
    head.positional_encoding.num_feats = dims // 2
    head.transformer_decoder.num_layers = 2
    layer = head.transformer_decoder.layer_cfg
    for key in ('self_attn_cfg', 'cross_attn_cfg'):
        layer[key].update(embed_dims=dims, num_heads=2)
    layer.ffn_cfg.update(embed_dims=dims, feedforward_channels=32)
    torch.manual_seed(seed)
    model = MODELS.build(ConfigDict(
        type='EncoderDecoder', backbone=dict(type='UnifyTinyPyramid'),
        decode_head=head, test_cfg=dict(mode='whole'),
        data_preprocessor=dict(
            type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
            test_cfg=dict(size_divisor=32))))
    with torch.no_grad():
        model.decode_head.cls_embed.weight.mul_(10)
    return model.eval()


def test_tiny_mask2former_pseudo_labels_from_normalised_scores(demo_coarse):
    from mmseg.models.decode_heads import Mask2FormerHead
    model = tiny_mask2former(num_classes=C)
    assert isinstance(model.decode_head, Mask2FormerHead)
    # a low void threshold: the untrained model is unsure everywhere
    tta = OntologyConstrainedTTAModel(model, ontology=COARSE_MAP,
                                      void_threshold=0.2, return_probs=True)
    assert tta.scores == 'scores'  # chosen for the head automatically
    assert not tta._direct_route_possible()  # MMSeg's route
    assert tta.settings()['scores'] == 'scores'
    soft = OntologyConstrainedTTAModel(model, ontology=COARSE_MAP,
                                       void_threshold=0.2, return_probs=True,
                                       scores='logits')
    ontology = Ontology.from_file(COARSE_MAP)
    for idx in range(len(demo_coarse)):
        batch = pseudo_collate([demo_coarse[idx]])
        with torch.no_grad():  # the head's own scores, per augmentation
            own = [model.test_step({k: v[a] for k, v in batch.items()})[0]
                   .seg_logits.data for a in range(len(batch['inputs']))]
        assert min(s.min() for s in own) >= 0  # scores, not logits
        res = tta.test_step(batch)[0]
        ref = reference_mean(own)
        torch.testing.assert_close(res.seg_probs.data, ref, rtol=1e-4,
                                   atol=1e-6)
        raw = res.gt_sem_seg.data[0]
        np.testing.assert_array_equal(
            res.pred_sem_seg.data[0],
            reference_labels(ref.numpy(), raw, ontology, threshold=0.2))
        # not re-softmaxed: the softmax route is flatter and labels less
        softmaxed = torch.stack([s.softmax(0) for s in own]).mean(0)
        other = soft.test_step(batch)[0]
        torch.testing.assert_close(other.seg_probs.data, softmaxed)
        assert res.seg_probs.data.amax(0).mean() > \
            softmaxed.amax(0).mean() + 0.1
        assert (res.pred_sem_seg.data == 255).sum() < \
            (other.pred_sem_seg.data == 255).sum()


if __name__ == '__main__':  # pragma: no cover
    pytest.main([__file__])
