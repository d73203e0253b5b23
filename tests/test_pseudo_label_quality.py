# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-label quality (mIoU against a fine ground truth) and its tool."""
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

from mmseg_unify.evaluation.pseudo_label_quality import (format_quality_table,
                                                         pseudo_label_quality)
from helpers import ROOT, load_tool


def write(folder, name, array):
    os.makedirs(folder, exist_ok=True)
    cv2.imwrite(osp.join(folder, name), np.asarray(array, np.uint8))


@pytest.fixture
def folders(tmp_path):
    gt, pred = str(tmp_path / 'gt'), str(tmp_path / 'pred')
    # classes 0, 1, 2; 255 = unlabelled
    write(gt, 'a.png', [[0, 0, 1, 1], [2, 2, 255, 1]])
    write(pred, 'a.png', [[0, 1, 1, 255], [2, 2, 0, 1]])
    write(osp.join(gt, 'sub'), 'b.png', [[1, 1]])
    write(osp.join(pred, 'sub'), 'b.png', [[1, 255]])
    # a temporary of an unfinished write is not a label
    with open(osp.join(pred, '.c.png.x1.tmp'), 'wb') as f:
        f.write(b'junk')
    return gt, pred


def test_quality_by_hand(folders):
    gt, pred = folders
    res = pseudo_label_quality(pred, gt, num_classes=3,
                               class_names=['a', 'b', 'c'])
    assert res['images'] == 2
    # labelled pixels with valid gt: (0,0) (0,1) (1,1) (2,2) (2,2) (1,1)
    # (1,1); unlabelled with valid gt: one of class 1 in each image
    # class 0: tp 1, gt 2, pred 1 -> 1/2 ; class 1: tp 3, gt 3, pred 4 ->
    # 3/4 ; class 2: 2/2
    np.testing.assert_allclose(res['iou'], [0.5, 0.75, 1.0])
    # unlabelled = miss: class 1 has 2 more gt pixels -> 3/6
    np.testing.assert_allclose(res['iou_miss'], [0.5, 0.5, 1.0])
    assert res['miou'] == pytest.approx((0.5 + 0.75 + 1.0) / 3)
    assert res['ignored_share'] == pytest.approx(2 / 9)
    assert res['accuracy'] == pytest.approx(6 / 7)
    assert res['gt_pixels'] == [2, 5, 2]
    table = format_quality_table({'x': res, 'y': res})
    assert '| b | 75.0 / 50.0 | 75.0 / 50.0 |' in table
    assert '**75.0** / 66.7' in table


def test_quality_errors(folders, tmp_path):
    gt, pred = folders
    write(pred, 'extra.png', [[0]])
    with pytest.raises(FileNotFoundError, match='no ground truth'):
        pseudo_label_quality(pred, gt, num_classes=3)
    os.remove(osp.join(pred, 'extra.png'))
    write(pred, 'a.png', [[0]])
    with pytest.raises(ValueError, match='differ in size'):
        pseudo_label_quality(pred, gt, num_classes=3)
    with pytest.raises(FileNotFoundError, match='no \\*.png'):
        pseudo_label_quality(str(tmp_path / 'nothing'), gt, num_classes=3)


def test_quality_tool_table_and_json(folders, tmp_path, capsys):
    gt, pred = folders
    tool = load_tool('pseudo_label_quality')
    out = str(tmp_path / 'q.json')
    tool.main([
        '--gt', gt, f'{pred}=with priors', f'{pred}=without',
        '--num-classes', '3', '--json', out
    ])
    printed = capsys.readouterr().out
    assert '| class | with priors | without |' in printed
    assert '| 1 | 75.0 / 50.0 | 75.0 / 50.0 |' in printed
    assert json.load(open(out))['without']['images'] == 2
    # class names from the source taxonomy
    tool.main([
        '--gt', gt, pred, '--taxonomy',
        osp.join(ROOT, 'ontology_maps', 'taxonomies', 'demo_urban.yaml')
    ])
    printed = capsys.readouterr().out
    assert '| lane_marking | 75.0 / 50.0 |' in printed
    assert '| pole | - / - |' in printed


def reference_quality(preds, gts, num_classes, ignore, gt_ignore):
    """Independent per-class set counting (no confusion matrix)."""
    iou, iou_miss, gt_pixels = [], [], []
    pred = np.concatenate([p.ravel() for p in preds]).astype(np.int64)
    gt = np.concatenate([g.ravel() for g in gts]).astype(np.int64)
    valid, labelled = gt != gt_ignore, pred != ignore
    for c in range(num_classes):
        is_gt, is_pred = valid & (gt == c), valid & labelled & (pred == c)
        tp = np.sum(is_gt & is_pred)
        union_labelled = np.sum((is_gt & labelled) | is_pred)
        union_all = np.sum(is_gt | is_pred)
        iou.append(tp / union_labelled if union_labelled else np.nan)
        iou_miss.append(tp / union_all if union_all else np.nan)
        gt_pixels.append(int(is_gt.sum()))
    both = valid & labelled
    return dict(
        iou=iou, iou_miss=iou_miss, gt_pixels=gt_pixels,
        accuracy=np.sum(both & (gt == pred)) / max(both.sum(), 1),
        ignored_share=np.sum(valid & ~labelled) / max(valid.sum(), 1))


@pytest.mark.parametrize('dtype,num_classes,ignore,gt_ignore', [
    (np.uint8, 6, 255, 255),
    (np.uint8, 4, 255, 200),
    (np.uint16, 300, 65535, 65534),
])
def test_quality_equals_independent_computation(tmp_path, dtype, num_classes,
                                                ignore, gt_ignore):
    rng = np.random.default_rng(num_classes)
    preds, gts = [], []
    for k, shape in enumerate([(13, 17), (8, 9), (21, 5)]):
        ids = list(range(num_classes))
        gt = rng.choice(ids + [gt_ignore], size=shape).astype(dtype)
        pred = np.where(rng.random(shape) < 0.5, gt,
                        rng.choice(ids + [ignore], size=shape)).astype(dtype)
        # pseudo-labels where the ground truth is ignored do not count
        pred[gt == gt_ignore] = rng.choice(
            ids + [ignore], size=int((gt == gt_ignore).sum()))
        for folder, arr in (('pred', pred), ('gt', gt)):
            os.makedirs(tmp_path / folder, exist_ok=True)
            cv2.imwrite(str(tmp_path / folder / f'{k}.png'), arr)
        preds.append(pred)
        gts.append(gt)
    res = pseudo_label_quality(str(tmp_path / 'pred'), str(tmp_path / 'gt'),
                               num_classes, ignore_index=ignore,
                               gt_ignore_index=gt_ignore)
    ref = reference_quality(preds, gts, num_classes, ignore, gt_ignore)
    np.testing.assert_allclose(res['iou'], ref['iou'])
    np.testing.assert_allclose(res['iou_miss'], ref['iou_miss'])
    assert res['gt_pixels'] == ref['gt_pixels']
    assert res['accuracy'] == pytest.approx(ref['accuracy'])
    assert res['ignored_share'] == pytest.approx(ref['ignored_share'])
    present = (np.array(ref['gt_pixels']) > 0) | np.isin(
        np.arange(num_classes),
        np.concatenate([p[(p != ignore) & (g != gt_ignore)]
                        for p, g in zip(preds, gts)]))
    assert res['miou'] == pytest.approx(
        np.nanmean(np.array(ref['iou'])[present]))
    assert res['miou_miss'] == pytest.approx(
        np.nanmean(np.array(ref['iou_miss'])[present]))
    assert res['images'] == 3


def test_colour_label_file_is_refused_by_name(folders):
    gt, pred = folders
    cv2.imwrite(osp.join(pred, 'a.png'), np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r'a\.png.*single-channel.*\(2, 4'):
        pseudo_label_quality(pred, gt, num_classes=3)


def test_quality_tool_progress_follows_the_terminal(monkeypatch):
    tool = load_tool('pseudo_label_quality')
    base = ['--gt', 'g', 'p=col', '--num-classes', '3']
    monkeypatch.setattr(sys.stdout, 'isatty', lambda: True)
    assert tool.parse_args(base).progress is True
    assert tool.parse_args(base + ['--no-progress']).progress is False
    monkeypatch.setattr(sys.stdout, 'isatty', lambda: False)
    assert tool.parse_args(base).progress is False
    assert tool.parse_args(base + ['--progress']).progress is True
