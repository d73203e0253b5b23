# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The LAD family benchmark: its configs build and train, its table, and
``tools/benchmark_lad.py`` end to end on tiny data."""
import glob
import json
import os.path as osp
import statistics
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import save_checkpoint
from torch import nn

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from helpers import ROOT, load_tool, random_seg_batch
from mmseg_unify.models.utils import main_head
from mmseg_unify.utils.config_ref import read_config
from mmseg_unify.utils.experiment import config_name

register_all_modules(init_default_scope=True)
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs/benchmark/*.py')))
DISTILLERS = [c for c in CONFIGS if osp.basename(c).startswith(
    ('cwd-student_', 'lad-student_'))]
SEGMENTORS = [c for c in CONFIGS if c not in DISTILLERS]
SIZE = 32


bench = load_tool('benchmark_lad')


def _batch(n=2, num_classes=12):
    """Random images and labels as a collated (not preprocessed) batch."""
    return random_seg_batch(n, num_classes, SIZE)


def _losses(model):
    """One training forward of ``model`` on a random batch."""
    model.train()
    data = model.data_preprocessor(_batch(), True)
    return model(**data, mode='loss')


def _input_channels(backbone):
    """Input channels of the backbone's first conv (the one that reads the
    image in every backbone used here)."""
    return next(m for m in backbone.modules()
                if isinstance(m, nn.Conv2d)).in_channels


def _config(path):
    return Config.fromfile(osp.join(ROOT, path))


def test_plan_uses_every_config_once_teachers_first():
    runs = bench.plan(list(bench.FAMILIES))
    assert len(runs) == 21  # the shared teacher + 4 runs x 5 families
    assert sorted(r.config for r in runs) == CONFIGS
    order = [r.config for r in runs]
    for r in runs:
        if r.teacher:
            assert order.index(r.teacher) < order.index(r.config), r.key
            # distilled runs are tested with their plain student config
            assert r.test_config == bench.config_path(
                bench.FAMILIES[r.key.split('/')[0]][1])
    assert {r.key for r in runs if r.teacher == runs[0].config} == {
        f'{f}/cwd' for f in bench.FAMILIES}


def test_iters_override_keeps_the_teachers_longer_schedule():
    assert bench.config_iters(bench.TEACHER_CONFIG) == \
        2 * bench.config_iters(bench.plan(['fcn'])[1].config)
    assert bench.run_iters(bench.TEACHER_CONFIG, 10) == 20
    assert bench.run_iters(bench.plan(['stdc1'])[-1].config, 10) == 10
    assert bench.run_iters(bench.TEACHER_CONFIG) == \
        bench.config_iters(bench.TEACHER_CONFIG)


@pytest.mark.parametrize('path', SEGMENTORS)
def test_segmentor_config_builds_and_trains(path):
    cfg = _config(path)
    assert cfg.train_cfg.max_iters == bench.config_iters(path)
    assert cfg.model.data_preprocessor.size == cfg.crop_size
    assert cfg.train_dataloader.dataset.pipeline[3].crop_size == cfg.crop_size
    model = MODELS.build(cfg.model)
    lad = osp.basename(path).startswith('lad-teacher_')
    assert _input_channels(model.backbone) == (4 if lad else 3)
    assert main_head(model).num_classes == 12
    if lad:
        assert type(model.data_preprocessor).__name__ == \
            'LabelNoisingDataPreprocessor'
        assert model.data_preprocessor.num_classes == 12
        assert cfg.test_cfg.type == 'LabelInputTestLoop'
    losses = _losses(model)
    assert all(torch.isfinite(v).all() for k, v in losses.items()
               if 'loss' in k)
    if lad:
        assert 'loss_consistency' in losses
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(_batch(1), False)
        logits = model._forward(data['inputs'])
    assert logits.shape[:2] == (1, 12)


@pytest.mark.parametrize('path', DISTILLERS)
def test_distiller_config_builds_with_teacher_checkpoint(
        path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # teacher_cfg needs no working directory
    cfg = _config(path)
    assert cfg.model.teacher_cfg.startswith('mmseg_unify::benchmark/')
    teacher = MODELS.build(read_config(cfg.model.teacher_cfg).model)
    ckpt = str(tmp_path / 'teacher.pth')
    save_checkpoint({'state_dict': teacher.state_dict()}, ckpt)
    cfg.model.teacher_ckpt = ckpt
    model = MODELS.build(cfg.model)
    lad = osp.basename(path).startswith('lad-student_')
    assert _input_channels(model.teacher.backbone) == (4 if lad else 3)
    assert _input_channels(model.student.backbone) == 3
    for name, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.state_dict()[name], value), name
    student = _config(next(r.test_config for r in bench.plan(
        list(bench.FAMILIES)) if r.config == path)).model
    assert model.student.backbone.__class__.__name__ == student.backbone.type
    losses = _losses(model)
    assert torch.isfinite(losses['distill.loss_cwd'])
    assert losses['distill.loss_cwd'] > 0


def _fake_results():
    seeds = [0, 1, 2]
    fcn = dict(student=[60.0, 61.0, 59.0], cwd=[60.5, 61.1, 60.0],
               lad=[62.0, 61.5, 60.5])
    runs = {f'fcn/{role}': dict(config=f'{role}.py',
                                metrics=[dict(mIoU=v) for v in values],
                                seconds=[10.0, None, 20.0])
            for role, values in fcn.items()}
    runs['fcn/lad-teacher'] = dict(
        config='t.py', seconds=[None] * 3,
        metrics=[{'mIoU': 80.0 + s, 'zeros/mIoU': 50.0 - s} for s in seeds])
    # stdc1: only the first seed's baseline has run so far
    runs['stdc1/student'] = dict(config='s.py', seconds=[5.0, None, None],
                                 metrics=[dict(mIoU=70.0), None, None])
    runs['teacher'] = dict(config='dl.py', seconds=[None] * 3,
                           metrics=[dict(mIoU=65.0)] * 3)
    return dict(seeds=seeds, families=['fcn', 'stdc1'], runs=runs), fcn


def _expected(values):
    return (f'{statistics.mean(values):.2f} ± '
            f'{statistics.stdev(values):.2f}')


def test_table_mean_std_and_paired_gains():
    results, fcn = _fake_results()
    lines = bench.table(results).splitlines()
    assert 'seeds 0, 1, 2' in lines[0]
    fcn_row = [c.strip() for c in lines[2].strip('|').split('|')]
    gain = [a - b for a, b in zip(fcn['lad'], fcn['student'])]
    cwd_gain = [a - b for a, b in zip(fcn['cwd'], fcn['student'])]
    assert fcn_row == [
        'FCN-R18-w16', _expected(fcn['student']), _expected(fcn['cwd']),
        _expected(fcn['lad']), '+' + _expected(cwd_gain),
        '+' + _expected(gain), _expected([80.0, 81.0, 82.0]),
        _expected([50.0, 49.0, 48.0])]
    stdc_row = [c.strip() for c in lines[3].strip('|').split('|')]
    assert stdc_row == ['STDC1-w16', '70.00'] + ['—'] * 6
    assert 'DeepLabV3-R18-w32 (RGB only): 65.00 ± 0.00 mIoU' in lines[-1]


def test_negative_gain_and_timing_table():
    assert bench.delta([59.0, 58.0], [60.0, 60.0]) == '-1.50 ± 0.71'
    results, _ = _fake_results()
    timing = bench.timing_table(results).splitlines()
    # mean over the seeds that ran; runs that never ran have no row
    assert timing[2:] == ['| student | 15 |', '| cwd | 15 |', '| lad | 15 |',
                          '| s | 5 |']


def _data_options(data_root):
    root = osp.join(data_root, 'demo_urban')
    options = [f'{d}_dataloader.dataset.data_root={root}'
               for d in ('train', 'test')]
    options += [f'{d}_dataloader.{k}={v}' for d in ('train', 'test')
                for k, v in (('num_workers', 0),
                             ('persistent_workers', False))]
    return options + ['train_dataloader.batch_size=2',
                      'default_hooks.logger.interval=1']


def test_tool_end_to_end_one_family_and_resume(small_demo, tmp_path):
    work = str(tmp_path / 'bench')
    cmd = [sys.executable, 'tools/benchmark_lad.py', '--families', 'fcn',
           '--iters', '2', '--seeds', '0', '--work-dir', work,
           '--cfg-options'] + _data_options(small_demo)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert '==> [1/5] seed 0: deeplabv3_r18-w32-d8' in out.stdout
    assert '==> [5/5] seed 0: lad-student_fcn_r18-w16-d8' in out.stdout
    with open(osp.join(work, 'results.json')) as f:
        results = json.load(f)
    assert results['seeds'] == [0] and results['iters'] == 2
    assert set(results['runs']) == {'teacher', 'fcn/student', 'fcn/cwd',
                                    'fcn/lad-teacher', 'fcn/lad'}
    for key, run in results['runs'].items():
        assert 0 <= run['metrics'][0]['mIoU'] <= 100, key
        assert run['seconds'][0] > 0, key
    assert 'zeros/mIoU' in results['runs']['fcn/lad-teacher']['metrics'][0]
    # --iters 2: the students 2 iterations, the shared teacher twice that
    seed_dir = osp.join(work, 'seed0')
    assert osp.isfile(osp.join(seed_dir, config_name(
        bench.TEACHER_CONFIG), 'iter_4.pth'))
    assert osp.isfile(osp.join(seed_dir, config_name(
        results['runs']['fcn/student']['config']), 'iter_2.pth'))
    with open(osp.join(work, 'results.md')) as f:
        text = f.read()
    assert text.startswith(bench.table(results))
    assert '2 iterations per student and LAD teacher, 4 for the shared' \
        in text.replace('\n', ' ')
    # distilled runs saved plain student checkpoints, tested as such
    lad = osp.join(seed_dir, config_name(
        results['runs']['fcn/lad']['config']), 'iter_2.pth')
    keys = torch.load(lad, map_location='cpu')['state_dict']
    assert not any(k.startswith('student.') for k in keys)
    # a second call finds everything done and runs nothing
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                           timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'tools/train.py' not in again.stdout
    assert 'tools/test.py' not in again.stdout
    with open(osp.join(work, 'results.json')) as f:
        rerun = json.load(f)
    assert rerun['runs']['fcn/lad']['metrics'] == \
        results['runs']['fcn/lad']['metrics']
    # the times of the first call are kept
    assert rerun['runs']['fcn/lad']['seconds'] == \
        results['runs']['fcn/lad']['seconds']
