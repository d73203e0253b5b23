# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The worked examples (``configs/examples/``): MMSeg's own PSPNet-R18 on the
demo data as a plain model, a LAD teacher, a LAD student and a CWD student.

Each config builds, keeps MMSeg's network, and trains two iterations with
``tools/train.py`` on a tiny generated demo dataset (students with a teacher
checkpoint saved here); a distilled checkpoint tests with the plain config.
"""
import glob
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.hub import get_config

import mmseg_unify  # noqa: F401  (registers the models built here)
from helpers import ROOT, save_seeded_checkpoint
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

register_all_modules(init_default_scope=True)

EXAMPLES = 'configs/examples'
STOCK = 'mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py'
PLAIN = f'{EXAMPLES}/pspnet_r18-d8_1xb4-1k_demo-urban-128x128.py'
LAD_TEACHER = (f'{EXAMPLES}/lad-teacher_pspnet_r18-d8_1xb4-1k_'
               'demo-urban-128x128.py')
LAD_STUDENT = (f'{EXAMPLES}/lad-student_pspnet_r18-d8_lad-teacher-pspnet-r18_'
               '1xb4-1k_demo-urban-128x128.py')
CWD_STUDENT = (f'{EXAMPLES}/cwd-student_pspnet_r18-d8_deeplabv3-r18-w32-'
               'teacher_1xb4-1k_demo-urban-128x128.py')
ALL = [PLAIN, LAD_TEACHER, LAD_STUDENT, CWD_STUDENT]
STUDENTS = [LAD_STUDENT, CWD_STUDENT]


def load(path):
    return Config.fromfile(osp.join(ROOT, path))


def teacher_config(path):
    """The local path of a student config's ``mmseg_unify::`` teacher."""
    ref = load(path).model.teacher_cfg
    assert ref.startswith('mmseg_unify::'), ref
    return osp.join('configs', ref[len('mmseg_unify::'):])


def test_every_example_is_tested():
    found = sorted(
        osp.relpath(p, ROOT)
        for p in glob.glob(osp.join(ROOT, EXAMPLES, '*.py')))
    assert found == sorted(ALL)


def test_plain_example_is_mmsegs_network_on_demo_data():
    stock, cfg = get_config(STOCK), load(PLAIN)
    # the network is MMSeg's ...
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        ours = {k: v for k, v in cfg.model[part].items()
                if k not in ('norm_cfg', 'num_classes')}
        theirs = {k: v for k, v in stock.model[part].items()
                  if k not in ('norm_cfg', 'num_classes')}
        assert ours == theirs, part
    assert stock.model.pretrained.startswith('open-mmlab://')
    # ... with every key that names Cityscapes, GPUs or a download changed
    assert cfg.model.pretrained is None
    assert cfg.model.decode_head.num_classes == 12
    assert cfg.model.auxiliary_head.num_classes == 12
    assert cfg.model.data_preprocessor.size == (128, 128)
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        assert cfg.model[part].norm_cfg.type == 'BN', part
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        assert dataset.type == 'DemoUrbanDataset', loader
        assert 'cityscapes' not in str(dataset).lower(), loader
    assert 'mmseg_unify' in cfg.custom_imports.imports
    assert cfg.train_cfg.max_iters == cfg.param_scheduler[0].end == 1000


@pytest.mark.parametrize('path', ALL)
def test_example_builds(path):
    cfg = load(path)
    if cfg.model.type == 'CWDDistiller':
        assert osp.isfile(osp.join(ROOT, teacher_config(path)))
        cfg.model.teacher_ckpt = None  # random teacher weights
    model = MODELS.build(cfg.model)
    first = getattr(model, 'student', model).backbone.stem[0]
    assert first.in_channels == (4 if path == LAD_TEACHER else 3)


def _train(config, work_dir, data_root, *options):
    """``tools/train.py CONFIG`` for two iterations on ``data_root``."""
    root = osp.join(data_root, 'demo_urban')
    cmd = [
        sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', 'param_scheduler.0.end=2',
        *options
    ]
    return _run(cmd)


def _run(cmd):
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


@pytest.mark.parametrize('path', [PLAIN, LAD_TEACHER])
def test_example_trains_two_iterations(path, small_demo, tmp_path):
    work = str(tmp_path / 'work')
    log = _train(path, work, small_demo)
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    assert 'mIoU' in log
    if path == LAD_TEACHER:
        assert 'loss_consistency' in log and 'path2.decode.loss_ce' in log
        assert 'zeros/mIoU' in log  # the second, zero-channel validation


@pytest.mark.parametrize('path', STUDENTS)
def test_student_trains_two_iterations_and_tests_as_plain_model(
        path, small_demo, tmp_path):
    ckpt = save_seeded_checkpoint(teacher_config(path),
                                  str(tmp_path / 'teacher.pth'))
    work = str(tmp_path / 'work')
    log = _train(path, work, small_demo, f'model.teacher_ckpt={ckpt}')
    assert 'distill.loss_cwd' in log
    assert 'keeps random weights' not in log  # the checkpoint was loaded
    student_ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(student_ckpt)
    # the distilled checkpoint holds only the student: the plain config
    # tests it as it is
    root = osp.join(small_demo, 'demo_urban')
    out = _run([
        sys.executable, 'tools/test.py', PLAIN, student_ckpt, '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        f'test_dataloader.dataset.data_root={root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert 'mIoU' in out
    assert 'unexpected key' not in out and 'missing keys' not in out
