# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label-usage diagnostic: attribution shares, ablations, verdicts, chart
and ``tools/lad_label_usage.py``.

The toy teachers are 1x1 convolutions over (image, label channel): their
attribution has a closed form (gradient x input of a linear map is the
weight times the input), and which input they use is set by their weights.
"""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from torch import nn

from helpers import ROOT, load_tool, random_seg_batch, save_seeded_checkpoint
from mmseg_unify.evaluation.label_usage import (attribution, label_usage,
                                                prepare_images)
from mmseg_unify.evaluation.label_usage_verdict import (THRESHOLDS,
                                                        summary_line, verdict)
from mmseg_unify.models.data_preprocessor import LabelNoisingDataPreprocessor
from mmseg_unify.visualization.label_usage_chart import (
    label_usage_figure, save_label_usage_chart)

C = 4
LAD_DEMO = ('configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_'
            'demo-urban-128x128.py')


class LinearTeacher(nn.Module):
    """logits = W (image, label) per pixel: a toy LAD teacher."""

    def __init__(self, weight):
        super().__init__()
        self.data_preprocessor = LabelNoisingDataPreprocessor(
            num_classes=C, mean=[127.5] * 3, std=[73.6] * 3)
        self.conv = nn.Conv2d(4, C, 1)
        with torch.no_grad():
            self.conv.weight.copy_(weight[..., None, None])
            self.conv.bias.zero_()

    def _forward(self, inputs):
        return self.conv(inputs)


def weights(kind):
    w = torch.randn(C, 4, generator=torch.Generator().manual_seed(3))
    if kind == 'label_only':
        w[:, :3] = 0
    elif kind == 'image_only':
        w[:, 3] = 0
    else:  # 'mixed': the label column on the scale of the three image ones
        w[:, 3] *= 3.0
    return w


def batches(n=3, size=16):
    torch.manual_seed(0)
    return [random_seg_batch(2, C, size) for _ in range(n)]


def run_toy(kind, **kwargs):
    torch.manual_seed(1)
    return label_usage(LinearTeacher(weights(kind)), batches(), C, **kwargs)


@pytest.mark.parametrize('method', ['grad_x_input', 'integrated_gradients'])
def test_attribution_of_a_linear_teacher_is_weight_times_input(method):
    model = LinearTeacher(weights('mixed')).eval()
    item = prepare_images(model, batches(1))[0]
    got = attribution(model, item['image'], item['channel'], item['valid'],
                      C, method, steps=4)
    x = torch.cat([item['image'], item['channel']], 1).double()
    w = model.conv.weight[:, :, 0, 0].double()
    pred = torch.einsum('ck,nkhw->nchw', w, x).argmax(1)
    want = np.zeros((3, C))
    for c in range(C):
        contrib = (w[c][None, :, None, None] * x).abs()  # (N, 4, H, W)
        mask = (pred == c)[:, None]
        want[0, c] = (contrib[:, :3] * mask).sum().item()
        want[1, c] = (contrib[:, 3:] * mask).sum().item()
        want[2, c] = mask.sum().item()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_teacher_using_only_the_label_is_called_label_dominates():
    result = run_toy('label_only')
    assert result['attribution']['label_share'] == pytest.approx(1.0)
    mean = result['ablation']['image_mean']
    assert mean['agreement'] == 1.0 and mean['kl_x100'] == pytest.approx(0)
    assert result['ablation']['label_zeroed']['agreement'] < 0.9
    assert result['views'] == dict(attribution='label dominates',
                                   ablation='label dominates')
    assert result['verdict'] == 'label dominates'
    assert 'shortcut' in result['warnings'][0]


def test_teacher_ignoring_the_label_is_called_label_unused():
    result = run_toy('image_only')
    assert result['attribution']['label_share'] == 0.0
    for key in ('label_zeroed', 'label_other_image', 'label_redrawn'):
        row = result['ablation'][key]
        assert row['agreement'] == 1.0
        assert row['mIoU'] == pytest.approx(result['ablation']['full']['mIoU'])
    assert result['ablation']['image_mean']['agreement'] < 0.9
    assert result['verdict'] == 'label unused'
    assert 'unused' in result['warnings'][0]


def test_teacher_mixing_both_inputs_uses_both_and_warns_nothing():
    result = run_toy('mixed', method='integrated_gradients', steps=2)
    share = result['attribution']['label_share']
    assert THRESHOLDS['unused_share'] < share < THRESHOLDS['dominates_share']
    abl = result['ablation']
    assert abl['label_zeroed']['agreement'] < 0.98
    assert abl['image_mean']['agreement'] < 0.95
    assert result['verdict'] == 'uses both' and result['warnings'] == []
    per_class = result['attribution']['per_class']
    assert sum(r['pixels'] for r in per_class) == 3 * 2 * 16 * 16
    assert summary_line(result).startswith('uses both (label share ')


def test_kl_and_miou_of_the_ablation_match_a_direct_computation():
    model = LinearTeacher(weights('mixed')).eval()
    data = batches(1)
    torch.manual_seed(1)  # the same noise draws in both computations
    result = label_usage(model, data, C)
    torch.manual_seed(1)
    item = prepare_images(model, data)[0]
    full = torch.log_softmax(
        model._forward(torch.cat([item['image'], item['channel']], 1)), 1)
    zero = torch.log_softmax(model._forward(torch.cat(
        [item['image'], torch.zeros_like(item['channel'])], 1)), 1)
    kl = (full.exp() * (full - zero)).sum(1).mean().item()
    row = result['ablation']['label_zeroed']
    assert row['kl_x100'] == pytest.approx(100 * kl, rel=1e-4)
    pred, gt = zero.argmax(1).flatten(), item['labels'].flatten()
    ious = [((pred == c) & (gt == c)).sum() / ((pred == c) | (gt == c)).sum()
            for c in range(C) if ((pred == c) | (gt == c)).any()]
    assert row['mIoU'] == pytest.approx(100 * torch.stack(ious).mean().item(),
                                        rel=1e-5)


def test_opposite_views_are_inconclusive():
    result = run_toy('label_only')
    result['attribution']['label_share'] = 0.01
    result['ablation']['label_zeroed'] = dict(result['ablation']['full'])
    result['ablation']['image_mean'] = dict(mIoU=0.0, kl_x100=9.0,
                                            agreement=0.99)
    out = verdict(result)
    assert out['views'] == dict(attribution='label unused',
                                ablation='label dominates')
    assert out['verdict'] == 'inconclusive'
    assert 'disagree' in out['warnings'][0]


def test_a_model_without_label_channel_is_refused():
    class Plain(nn.Module):
        data_preprocessor = nn.Identity()

    with pytest.raises(TypeError, match='LabelNoisingDataPreprocessor'):
        label_usage(Plain(), batches(1), C)


def test_chart_has_titles_axis_labels_and_legends(tmp_path):
    result = run_toy('mixed')
    fig = label_usage_figure(result, title='toy teacher')
    assert 'uses both' in fig._suptitle.get_text()
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
    out = save_label_usage_chart(result, str(tmp_path / 'a' / 'chart.png'))
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_tool_writes_table_json_and_chart(small_demo, tmp_path, capsys):
    ckpt = save_seeded_checkpoint(LAD_DEMO, str(tmp_path / 'lad.pth'))
    work = tmp_path / 'work'
    tool = load_tool('lad_label_usage')
    result = tool.main([
        osp.join(ROOT, LAD_DEMO), ckpt, '--num-images', '2', '--work-dir',
        str(work), '--cfg-options',
        f'val_dataloader.dataset.data_root={small_demo}/demo_urban'])
    out = capsys.readouterr().out
    assert '| **all** |' in out and 'Verdict:' in out
    assert '[2/2]' in out
    with open(work / 'label_usage.json') as f:
        saved = json.load(f)
    assert saved['verdict'] == result['verdict'] and saved['images'] == 2
    assert saved['checkpoint'] == ckpt
    assert osp.getsize(work / 'label_usage.png') > 1000


def test_tool_refuses_a_checkpoint_of_another_network(small_demo, tmp_path):
    rgb = save_seeded_checkpoint(
        'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py',
        str(tmp_path / 'rgb.pth'))
    from mmseg_unify.models.teacher import TeacherCheckpointError
    with pytest.raises(TeacherCheckpointError, match='shape mismatches'):
        load_tool('lad_label_usage').main([
            osp.join(ROOT, LAD_DEMO), rgb, '--work-dir', str(tmp_path)])
