# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-label quality (mIoU against a fine ground truth) and its tool."""
import importlib.util
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmseg_unify.evaluation.pseudo_label_quality import (format_quality_table,
                                                         pseudo_label_quality)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


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
    spec = importlib.util.spec_from_file_location(
        'pl_quality_tool', osp.join(ROOT, 'tools', 'pseudo_label_quality.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
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
