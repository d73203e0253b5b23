# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Every config under configs/ loads; the demo configs build their models."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

register_all_modules(init_default_scope=True)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ALL = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True))
DEMO = [p for p in ALL if p.startswith(osp.join('configs', 'demo'))]
DISTILL_DEMO = [
    p for p in ALL if 'student_' in p and p.endswith('demo-urban-128x128.py')
]


def test_configs_exist():
    assert DEMO, 'no demo configs found'


@pytest.mark.parametrize('path', ALL)
def test_config_loads(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    if 'model' in cfg and '_base_' + osp.sep not in path:
        # a runnable config: stock MMSeg tools must find our components
        assert cfg.get('default_scope') == 'mmseg', path
        assert 'mmseg_unify' in cfg.custom_imports['imports'], path


@pytest.mark.parametrize('path', DEMO)
def test_demo_config_builds_and_runs(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    model = MODELS.build(cfg.model)
    model.eval()
    with torch.no_grad():
        out = model(torch.rand(1, 3, 64, 64), mode='tensor')
    assert out.shape[:2] == (1, cfg.model.decode_head.num_classes)


@pytest.mark.parametrize('path', DISTILL_DEMO)
def test_demo_distiller_config_builds(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    assert cfg.model.type == 'CWDDistiller'
    assert osp.isfile(osp.join(ROOT, cfg.model.teacher_cfg))
    cfg.model.teacher_ckpt = None  # no trained teacher needed to build
    model = MODELS.build(cfg.model)
    assert not any(k.startswith('teacher') for k in model.state_dict())
