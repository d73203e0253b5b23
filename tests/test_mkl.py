# Copyright (c) mmseg-unify contributors. All rights reserved.
"""mKL against a direct computation, and on a LAD teacher."""
import itertools
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import register_all_modules
from mmseg_unify.evaluation.mkl import mean_pairwise_kl, teacher_mkl
from helpers import ROOT

register_all_modules(init_default_scope=True)


def test_mean_pairwise_kl_equals_direct_sum():
    g = torch.Generator().manual_seed(0)
    logp = torch.log_softmax(torch.randn(3, 1, 4, 2, 2, generator=g), dim=2)
    direct = []
    for i, j in itertools.permutations(range(3), 2):
        for y, x in itertools.product(range(2), range(2)):
            p, q = logp[i, 0, :, y, x], logp[j, 0, :, y, x]
            direct.append(float((p.exp() * (p - q)).sum()))
    assert mean_pairwise_kl(logp).item() == pytest.approx(
        sum(direct) / len(direct), rel=1e-5)
    assert mean_pairwise_kl(logp[[0, 0]]).item() == pytest.approx(0, abs=1e-7)
    with pytest.raises(ValueError, match='at least 2'):
        mean_pairwise_kl(logp[:1])


def test_teacher_mkl_positive_and_zero_without_noise():
    cfg = Config.fromfile(osp.join(
        ROOT,
        'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'))
    cfg.model.data_preprocessor.size = (32, 32)
    s = SegDataSample()
    s.gt_sem_seg = PixelData(data=torch.randint(0, 12, (1, 32, 32)))
    s.set_metainfo(dict(img_shape=(32, 32), ori_shape=(32, 32)))
    data = dict(inputs=[torch.randint(0, 255, (3, 32, 32))], data_samples=[s])
    model = MODELS.build(cfg.model)
    assert teacher_mkl(model, data, k=3) > 0
    cfg.model.data_preprocessor.update(class_wise=False, pixel_wise=False)
    fixed = MODELS.build(cfg.model)
    assert teacher_mkl(fixed, data, k=3) == pytest.approx(0, abs=1e-6)
