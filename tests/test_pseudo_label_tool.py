# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/pseudo_label.py: one process vs two gloo processes, same bytes."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import ROOT

register_all_modules()

TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
EXTRA = 'configs/unify/datasets/demo_split_extra.py'


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from mmseg_unify.datasets.demo_data import generate_demo_data
    base = tmp_path_factory.mktemp('tool')
    counts = dict(
        demo_urban=dict(train=1, val=1),
        demo_coarse=dict(train=1, val=1),
        demo_split=dict(train=5, val=1))  # 5: uneven over 2 ranks
    data = generate_demo_data(
        str(base / 'demo'), seed=0, size=(32, 64), counts=counts)
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(osp.join(ROOT, TEACHER)).model)
    ckpt = str(base / 'teacher.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    return dict(data=data, ckpt=ckpt, base=base)


def pseudo_label(setup, out, nproc, *extra):
    cmd = [sys.executable]
    if nproc > 1:
        cmd += [
            '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
            '--master_port=29533'
        ]
    cmd += [
        'tools/pseudo_label.py', TEACHER, setup['ckpt'], '--extra', EXTRA,
        '--out', out, '--num-workers', '0', '--scales', '0.75', '1.25',
        '--work-dir',
        str(setup['base'] / 'work'), '--cfg-options',
        'test_dataloader.dataset.data_root=' +
        osp.join(setup['data'], 'demo_split')
    ] + list(extra)
    if nproc > 1:
        cmd += ['--launcher', 'pytorch']
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def read_labels(folder):
    found = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith('.png'):
            with open(osp.join(folder, name), 'rb') as f:
                found[name] = f.read()
    return found


def test_two_gloo_processes_write_the_same_files(setup):
    one = str(setup['base'] / 'one')
    two = str(setup['base'] / 'two')
    pseudo_label(setup, one, 1)
    log = pseudo_label(setup, two, 2)
    assert 'rank 0/2: 3 in this shard' in log
    labels_one, labels_two = read_labels(one), read_labels(two)
    assert sorted(labels_one) == [f'{i:06d}.png' for i in range(5)]
    assert labels_one == labels_two
    assert sorted(os.listdir(two)) == sorted(labels_one) + ['manifest.json']
    m1 = json.load(open(osp.join(one, 'manifest.json')))
    m2 = json.load(open(osp.join(two, 'manifest.json')))
    assert m2['runs'][-1]['world_size'] == 2
    assert m2['counts'] == m1['counts']
    assert m2['counts']['written_this_run'] == 5
    assert m1['ontology'].endswith('demo_split_to_demo_urban.yaml')


def test_print_config_and_no_priors(setup):
    out = pseudo_label(setup, str(setup['base'] / 'np'), 1, '--no-priors',
                       '--no-flip', '--print-config')
    assert "type='OntologyConstrainedTTAModel'" in out
    assert 'priors=False' in out
    assert "type='OntologyConstrainedInference'" in out
    assert "prob=1.0" not in out  # --no-flip
    assert not osp.exists(str(setup['base'] / 'np'))


def run_tool(setup, *args):
    cmd = [sys.executable, 'tools/pseudo_label.py', TEACHER, setup['ckpt'],
           '--extra', EXTRA, '--num-workers', '0', '--scales', '1',
           '--no-flip', '--cfg-options', 'test_dataloader.dataset.data_root='
           + osp.join(setup['data'], 'demo_split'), *args]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_config_goes_to_the_log_file_and_logs_beside_the_labels(setup):
    out = str(setup['base'] / 'quiet' / 'demo_split')
    proc = run_tool(setup, '--out', out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    console = proc.stdout + proc.stderr
    # the default work dir is OUT_work, next to OUT (one folder for both)
    logs = [osp.join(r, f) for r, _, files in os.walk(out + '_work')
            for f in files if f.endswith('.log')]
    assert len(logs) == 1
    with open(logs[0]) as f:
        log = f.read()
    assert "type='OntologyConstrainedTTAModel'" in log
    assert "type='OntologyConstrainedTTAModel'" not in console
    assert f'composed config: in {logs[0]} and ' in console
    assert '[pseudo-label] 5 images' in console  # progress still shown


def test_a_work_dir_inside_the_dataset_is_refused_before_any_write(setup):
    images = osp.join(setup['data'], 'demo_split', 'img_dir', 'train')
    before = sorted(os.listdir(images))
    out = str(setup['base'] / 'refused')
    proc = run_tool(setup, '--out', out, '--work-dir',
                    osp.join(images, 'logs'))
    assert proc.returncode != 0
    assert f'--work-dir {osp.join(images, "logs")} lies inside the ' \
        f'dataset folder {osp.realpath(images)}' in proc.stderr
    assert sorted(os.listdir(images)) == before
    assert not osp.exists(out)
