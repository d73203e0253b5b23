# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Every LAD teacher config builds a 4-channel model (no data needed)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.models.inflate import first_conv
from helpers import ROOT

register_all_modules(init_default_scope=True)
TEACHERS = sorted(
    osp.basename(p)
    for p in glob.glob(osp.join(ROOT, 'configs/lad/lad-teacher_*.py')))
EXPECTED_CLASSES = {'cityscapes': 19, 'ade20k': 150, 'voc12aug': 21,
                    'coco-stuff': 171, 'demo-urban': 12}


def test_paper_families_are_covered():
    names = ' '.join(TEACHERS)
    for family in ('fcn_r18', 'pspnet_r18', 'deeplabv3_r18', 'deeplabv3_r101',
                   'stdc1', 'stdc2', 'ocrnet_hr18s', 'ocrnet_hr18_',
                   'ocrnet_hr48', 'pspnet_r50-d8_4xb4-80k_ade20k',
                   'deeplabv3_r50-d8_4xb4-40k_voc12aug',
                   'coco-stuff10k', 'coco-stuff164k'):
        assert family in names, family


@pytest.mark.parametrize('name', TEACHERS)
def test_teacher_config_builds(name):
    cfg = Config.fromfile(osp.join(ROOT, 'configs/lad', name))
    classes = next(v for k, v in EXPECTED_CLASSES.items() if k in name)
    assert cfg.model.data_preprocessor.num_classes == classes
    assert cfg.val_cfg.type == 'LabelInputValLoop'
    model = MODELS.build(cfg.model)
    conv = first_conv(model.backbone)
    assert conv.in_channels == 4
    # an RGB state dict loads through the inflation hook
    rgb = conv.weight.detach()[:, :3].clone() + 1.0
    conv.load_state_dict({'weight': rgb})
    assert torch.equal(conv.weight[:, :3], rgb)
