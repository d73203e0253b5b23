# Copyright (c) mmseg-unify contributors. All rights reserved.
"""DualPathConsistencySegmentor: loss keys, gradients, consistency value."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.structures import PixelData

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import register_all_modules
from mmseg_unify.models.losses import ChannelWiseDivergence
from helpers import ROOT

register_all_modules(init_default_scope=True)
CFG = 'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'


def teacher(dropout=0.1, **kwargs):
    model = copy.deepcopy(Config.fromfile(osp.join(ROOT, CFG)).model)
    model.data_preprocessor.size = (32, 32)
    model.decode_head.dropout_ratio = dropout
    model.update(kwargs)
    return MODELS.build(model)


def batch():
    g = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(2):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(
            data=torch.randint(0, 12, (1, 32, 32), generator=g))
        s.set_metainfo(dict(img_shape=(32, 32), ori_shape=(32, 32)))
        samples.append(s)
    return dict(inputs=[torch.randint(0, 255, (3, 32, 32), generator=g)
                        for _ in range(2)], data_samples=samples)


@pytest.mark.parametrize('batched', [False, True])
def test_loss_keys_and_gradients_of_both_paths(batched):
    model = teacher(batched=batched)
    model.train()
    data = model.data_preprocessor(batch(), True)
    assert data['inputs'].shape[1] == 4
    losses = model(**data, mode='loss')
    expected = {f'path{i}.{h}.{k}' for i in (1, 2) for h in ('decode', 'aux')
                for k in ('loss_ce', 'acc_seg')} | {'loss_consistency'}
    assert set(losses) == expected
    assert losses['loss_consistency'].item() > 0
    for key in ('path1.decode.loss_ce', 'path2.decode.loss_ce',
                'loss_consistency'):
        model.zero_grad()
        losses[key].backward(retain_graph=True)
        grad = model.backbone.stem[0].weight.grad
        assert grad is not None and grad[:, 3].abs().sum() > 0, key


def test_consistency_is_symmetric_cwd_of_the_two_paths():
    model = teacher(dropout=0.0, consistency_weight=2.0, consistency_tau=3.0)
    model.train()
    data = model.data_preprocessor(batch(), True)
    torch.manual_seed(3)
    losses = model(**data, mode='loss')
    # recompute independently with the same second noise draw
    torch.manual_seed(3)
    second = model._second_path(data['inputs'], data['data_samples'])
    o1 = model.decode_head.forward(model.extract_feat(data['inputs']))
    o2 = model.decode_head.forward(model.extract_feat(second))
    cwd = ChannelWiseDivergence(tau=3.0)
    expected = 2.0 * (cwd(o1, o2) + cwd(o2, o1))
    assert losses['loss_consistency'].item() == pytest.approx(
        expected.item(), rel=1e-5)


def test_single_path_ablation_and_predict():
    model = teacher(dual_path=False)
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    assert 'decode.loss_ce' in losses and 'loss_consistency' not in losses
    model.eval()
    data = model.data_preprocessor(batch(), False)
    out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.shape == (32, 32)
    assert model.label_input == 'noised'


def test_needs_label_noising_preprocessor():
    model = copy.deepcopy(Config.fromfile(osp.join(ROOT, CFG)).model)
    model.data_preprocessor = dict(type='SegDataPreProcessor', size=(32, 32))
    with pytest.raises(ValueError, match='needs data_preprocessor=dict'):
        MODELS.build(model)


def test_batched_equals_two_passes_when_batchnorm_is_frozen():
    """Same weights, same noise: only BatchNorm statistics differ."""
    losses = {}
    for batched in (False, True):
        torch.manual_seed(0)
        model = teacher(dropout=0.0, batched=batched)
        model.train()
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()  # running statistics: batch composition irrelevant
        torch.manual_seed(1)
        data = model.data_preprocessor(batch(), True)
        losses[batched] = model(**data, mode='loss')
    for key, value in losses[False].items():
        assert losses[True][key].item() == pytest.approx(
            value.item(), rel=1e-4, abs=1e-6), key


def test_predict_with_zero_channel():
    model = teacher()
    model.data_preprocessor.test_label = 'zeros'
    model.eval()
    data = batch()
    for s in data['data_samples']:
        del s.gt_sem_seg  # plain inference: no ground truth needed
    data = model.data_preprocessor(data, False)
    assert torch.all(data['inputs'][:, 3] == 0)
    out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.shape == (32, 32)
    assert model.label_input == 'zeros'


def tiny_ocrnet(**kwargs):
    """OCRNet's cascade (FCN head -> OCR head) on the demo teacher's
    backbone (the HRNet backbone itself is covered by test_inflate and
    test_lad_configs; its many conv shapes are slow to warm up on CPU)."""
    base = copy.deepcopy(Config.fromfile(osp.join(ROOT, CFG)).model)
    base.data_preprocessor.size = (32, 32)
    heads = [
        dict(type='FCNHead', in_channels=128, in_index=3, channels=32,
             kernel_size=1, num_convs=1, concat_input=False,
             dropout_ratio=-1, num_classes=12, norm_cfg=dict(type='BN'),
             loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4)),
        dict(type='OCRHead', in_channels=128, in_index=3, channels=32,
             ocr_channels=16, dropout_ratio=-1, num_classes=12,
             norm_cfg=dict(type='BN'),
             loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    ]
    return MODELS.build(dict(
        type='DualPathCascadeSegmentor', num_stages=2,
        data_preprocessor=base.data_preprocessor, backbone=base.backbone,
        decode_head=heads, test_cfg=ConfigDict(mode='whole'), **kwargs))


def test_cascade_teacher_ocrnet_losses_and_gradients():
    model = tiny_ocrnet()
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    expected = {f'path{i}.decode_{s}.{k}' for i in (1, 2) for s in (0, 1)
                for k in ('loss_ce', 'acc_seg')} | {'loss_consistency'}
    assert set(losses) == expected
    for key in ('path1.decode_1.loss_ce', 'path2.decode_1.loss_ce',
                'loss_consistency'):
        model.zero_grad()
        losses[key].backward(retain_graph=True)
        grad = model.backbone.stem[0].weight.grad
        assert grad is not None and grad[:, 3].abs().sum() > 0, key
    model.eval()
    out = model(**model.data_preprocessor(batch(), False), mode='predict')
    assert out[0].pred_sem_seg.shape == (32, 32)


def test_rgb_backbone_is_refused_with_its_class_name():
    model = copy.deepcopy(Config.fromfile(osp.join(ROOT, CFG)).model)
    model.backbone.in_channels = 3
    with pytest.raises(ValueError, match='ResNetV1c: cannot adapt'):
        MODELS.build(model)
