# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``tools/gpu_smoke.py`` / ``tools/gpu_smoke.sh``: the dry run on CPU goes
through the whole chain (DDP trainings with gloo, TTA pseudo-labels, checks,
timings), and the checks catch what they are for."""
import json
import math
import os
import os.path as osp
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import ROOT, load_tool


@pytest.fixture(scope='module')
def smoke():
    return load_tool('gpu_smoke')


def test_dry_run_trains_pseudo_labels_checks_and_times(smoke, small_demo,
                                                       tmp_path, capsys):
    work = tmp_path / 'smoke'
    result = smoke.main(['--dry-run', '--work-dir', str(work),
                         '--data-root', small_demo])
    out = capsys.readouterr().out
    assert result['dry_run'] and 'not GPU numbers' in result['mode']
    assert result['gpus'] == 2
    assert [c['ok'] for c in result['checks']] == [True] * 5, result['checks']
    timing = result['timing']
    assert timing['LAD teacher train ms/iter (2 proc)'] > 0
    assert timing['LAD student train ms/iter (2 proc)'] > 0
    assert any(k.startswith('dual path, batched / plain') for k in timing)
    assert any(k.startswith('pseudo-labelling images/s') for k in timing)
    assert all(math.isfinite(v) and v > 0 for v in timing.values())
    pngs = [f for _, _, fs in os.walk(work / 'pseudo_labels') for f in fs
            if f.endswith('.png')]
    assert len(pngs) == 2
    with open(work / 'gpu_smoke.json') as f:
        assert json.load(f)['checks'] == result['checks']
    assert '| timing | value |' in out and '[5/5]' in out


def test_loss_check_flags_nan_and_inf(smoke):
    rows = [dict(iter=1, loss=1.0, time=0.1),
            dict(iter=2, loss=float('nan'), time=0.1),
            dict(iter=3, loss_consistency=float('inf'), loss=2.0)]
    check = smoke.loss_check(rows, 'teacher')
    assert not check['ok']
    assert "'loss'" in check['detail']
    assert 'loss_consistency' in check['detail']
    assert smoke.loss_check(rows[:1], 'teacher')['ok']
    assert not smoke.loss_check([], 'teacher')['ok']


def test_label_check_flags_wrong_size_and_foreign_ids(smoke, tmp_path):
    img_dir, out = tmp_path / 'img', tmp_path / 'labels'
    img_dir.mkdir()
    out.mkdir()
    for name in ('a', 'b', 'c'):
        Image.fromarray(np.zeros((4, 6, 3), np.uint8)).save(
            img_dir / f'{name}.png')
    Image.fromarray(np.full((4, 6), 255, np.uint8)).save(out / 'a.png')
    assert smoke.label_check(str(out), str(img_dir))['ok']
    Image.fromarray(np.zeros((6, 4), np.uint8)).save(out / 'b.png')
    Image.fromarray(np.full((4, 6), 40, np.uint8)).save(out / 'c.png')
    check = smoke.label_check(str(out), str(img_dir))
    assert not check['ok']
    assert 'b.png: shape (6, 4)' in check['detail']
    assert 'c.png' in check['detail'] and '[40]' in check['detail']


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is visible')
def test_real_run_refuses_a_machine_without_cuda(smoke, capsys):
    with pytest.raises(SystemExit):
        smoke.parse_args([])
    assert '--dry-run' in capsys.readouterr().err
    proc = subprocess.run(['bash', osp.join(ROOT, 'tools', 'gpu_smoke.sh')],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and '--dry-run' in proc.stderr


def test_dry_run_defaults_are_tiny(smoke):
    args = smoke.parse_args(['--dry-run'])
    assert (args.gpus, args.teacher_iters, args.student_iters,
            args.images) == (2, 2, 2, 2)
    opts = smoke.train_options(args, 2)
    assert 'env_cfg.dist_cfg.backend=gloo' in opts
    assert 'train_cfg.max_iters=2' in opts
