# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Every config under configs/ loads; the demo configs build their models."""
import functools
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.utils.config_ref import resolve_config_ref
from helpers import ROOT

register_all_modules(init_default_scope=True)

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


#: keys whose relative paths MMSeg joins with the dataset's ``data_root``
UNDER_DATA_ROOT = ('data_prefix', 'ann_file')
#: the only places a provided config may name relative to the working
#: directory: MMSeg's user-facing data and work-dir conventions
CWD_CONVENTIONS = ('data/', 'work_dirs/')


@functools.lru_cache(maxsize=None)
def load(path):
    """A config of the repository, read once (callers must not change it)."""
    return Config.fromfile(osp.join(ROOT, path))


def cwd_relative_paths(node, where='cfg'):
    """``(key, value)`` of every string under ``node`` that is a path
    relative to the working directory (paths under a dataset's
    ``data_root``, URLs and ``pkg::`` references excluded)."""
    if isinstance(node, dict):
        has_root = bool(node.get('data_root'))
        for key, value in node.items():
            if not (has_root and key in UNDER_DATA_ROOT):
                yield from cwd_relative_paths(value, f'{where}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from cwd_relative_paths(value, f'{where}[{i}]')
    elif isinstance(node, str) and '/' in node and '://' not in node \
            and '::' not in node and not osp.isabs(node):
        yield where, node


@pytest.mark.parametrize('path', ALL)
def test_config_loads(path):
    cfg = load(path)
    if 'model' in cfg and '_base_' + osp.sep not in path:
        # a runnable config: stock MMSeg tools must find our components
        assert cfg.get('default_scope') == 'mmseg', path
        assert 'mmseg_unify' in cfg.custom_imports['imports'], path


@pytest.mark.parametrize('path', ALL)
def test_config_paths_need_no_working_directory(path):
    """Teacher configs, checkpoints, ontology maps: nothing a provided
    config names depends on the working directory, except MMSeg's
    ``data/`` and ``work_dirs/`` conventions."""
    found = [(key, value)
             for key, value in cwd_relative_paths(load(path).to_dict())
             if not value.startswith(CWD_CONVENTIONS)]
    assert not found, f'{path}: paths relative to the working directory: ' \
        f'{found}'


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
    assert cfg.model.teacher_cfg.startswith('mmseg_unify::')
    assert osp.isfile(resolve_config_ref(cfg.model.teacher_cfg))
    cfg.model.teacher_ckpt = None  # no trained teacher needed to build
    model = MODELS.build(cfg.model)
    assert not any(k.startswith('teacher') for k in model.state_dict())
