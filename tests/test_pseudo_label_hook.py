# Copyright (c) mmseg-unify contributors. All rights reserved.
"""OntologyConstrainedInference: files, manifest, resume, visualisations."""
import hashlib
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import DEMO_TEACHER, ROOT, pseudo_label_run, \
    save_seeded_checkpoint
from mmseg_unify.utils.label_io import (label_dtype, label_path,
                                        write_png_atomic)

register_all_modules()

EXTRA = osp.join(ROOT, 'configs', 'unify', 'datasets',
                 'demo_coarse_extra.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Demo data (32 x 64, 5 extra images) and a random teacher."""
    from mmseg_unify.datasets.demo_data import generate_demo_data
    base = tmp_path_factory.mktemp('hook')
    counts = dict(
        demo_urban=dict(train=1, val=1),
        demo_coarse=dict(train=5, val=1),
        demo_split=dict(train=1, val=1))
    data = generate_demo_data(
        str(base / 'demo'), seed=0, size=(32, 64), counts=counts)
    ckpt = save_seeded_checkpoint(DEMO_TEACHER, str(base / 'teacher.pth'))
    return dict(data=data, ckpt=ckpt, base=base)


def run(setup, out, *extra_args, hooks=(), scales=('0.5', '1.0')):
    """One pseudo-labelling run in this process; returns the runner."""
    return pseudo_label_run([
        osp.join(ROOT, DEMO_TEACHER), setup['ckpt'], '--extra', EXTRA,
        '--out', out, '--num-workers', '0', '--scales', *scales,
        '--work-dir', str(setup['base'] / 'work'), '--cfg-options',
        'test_dataloader.dataset.data_root=' +
        osp.join(setup['data'], 'demo_coarse'), *extra_args
    ], hooks=hooks)


def read_tree(folder):
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                found[osp.relpath(path, folder)] = f.read()
    return found


def test_writes_labels_manifest_and_visualisations(setup):
    out = str(setup['base'] / 'full')
    runner = run(setup, out, '--colorize', '--num-panels', '2')
    files = read_tree(out)
    names = [f'{i:06d}.png' for i in range(5)]
    assert sorted(files) == sorted(names + ['manifest.json'])
    for name in names:
        label = cv2.imread(osp.join(out, name), cv2.IMREAD_UNCHANGED)
        assert label.dtype == np.uint8 and label.shape == (32, 64)
        assert set(np.unique(label)) <= set(range(12)) | {255}
        # pixels labelled "bicycle" (no source class) are ignored
        raw = cv2.imread(
            osp.join(setup['data'], 'demo_coarse', 'ann_dir', 'train', name),
            cv2.IMREAD_UNCHANGED)
        assert (label[raw == 33] == 255).all()
        assert set(np.unique(label[raw == 7])) <= {0, 1}  # road, marking
    manifest = json.loads(files['manifest.json'])
    assert manifest['status'] == 'complete'
    assert manifest['counts']['images'] == 5
    assert manifest['counts']['written_this_run'] == 5
    assert 0 < manifest['counts']['ignored_pixel_share'] < 1
    with open(setup['ckpt'], 'rb') as f:
        assert manifest['checkpoint_sha256'] == hashlib.sha256(
            f.read()).hexdigest()
    assert manifest['ontology_sha256']
    assert manifest['pseudo_label_model']['priors']
    assert manifest['tta']['scales'] == [0.5, 1.0]
    assert manifest['tta']['flip'] is True
    vis = out + '_vis'
    assert sorted(os.listdir(osp.join(vis, 'color'))) == names
    assert sorted(os.listdir(osp.join(vis, 'panels'))) == [names[0], names[4]]
    panel = cv2.imread(osp.join(vis, 'panels', names[0]))
    # image | GT | prediction | pseudo-label, each 64 px scaled up to 256,
    # 4 px gutters, a 24 px title bar and legends below
    assert panel.shape[1] == 4 * 256 + 3 * 4
    assert panel.shape[0] > 24 + 128
    assert runner.images_seen == 5


def test_resume_after_kill_finishes_without_partial_files(setup):
    ref_dir = str(setup['base'] / 'ref')
    run(setup, ref_dir)
    reference = read_tree(ref_dir)

    out = str(setup['base'] / 'resumed')
    with pytest.raises(KeyboardInterrupt):
        run(setup, out, hooks=[dict(type='UnifyTestCrash', after=2)])
    assert sorted(os.listdir(out)) == ['000000.png', '000001.png',
                                       'manifest.json']
    assert json.load(open(osp.join(out, 'manifest.json')))['status'] == \
        'interrupted'
    # a write that was killed between temp file and rename
    leftover = osp.join(out, '.000003.png.k1ll3d.tmp')
    with open(leftover, 'wb') as f:
        f.write(b'\x89PNG half a file')

    runner = run(setup, out)
    assert runner.images_seen == 3  # done images not re-run
    assert not osp.exists(leftover)
    got = read_tree(out)
    for name, data in reference.items():
        if name != 'manifest.json':
            assert got[name] == data, name
    assert sorted(got) == sorted(reference)
    manifest = json.loads(got['manifest.json'])
    assert manifest['status'] == 'complete'
    assert manifest['counts']['skipped_this_run'] == 2
    assert manifest['counts']['written_this_run'] == 3
    # the interrupted run is recorded, then the one that finished
    assert [r['written'] for r in manifest['runs']] == [2, 3]

    # nothing left to do: no image is loaded or run again
    runner = run(setup, out)
    assert runner.images_seen == 0
    assert len(json.load(open(osp.join(out, 'manifest.json')))['runs']) == 3


def test_refuses_to_mix_settings(setup):
    full = str(setup['base'] / 'full')
    if not osp.isfile(osp.join(full, 'manifest.json')):
        pytest.skip('needs the first test')
    out = str(setup['base'] / 'mixed')
    shutil.copytree(full, out)
    before = read_tree(out)
    # same out dir, other TTA scales: refused, nothing written
    with pytest.raises(RuntimeError, match=r'tta\.scales.*--no-resume'):
        run(setup, out, scales=('1.0', ))
    assert read_tree(out) == before
    # --no-resume replaces everything
    run(setup, out, '--no-resume', scales=('1.0', ))
    manifest = json.load(open(osp.join(out, 'manifest.json')))
    assert manifest['tta']['scales'] == [1.0]
    assert manifest['counts']['written_this_run'] == 5


def test_write_png_atomic_and_dtype(tmp_path):
    target = str(tmp_path / 'a' / 'b.png')
    label = np.arange(12, dtype=np.uint8).reshape(3, 4)
    write_png_atomic(target, label)
    assert os.listdir(tmp_path / 'a') == ['b.png']
    np.testing.assert_array_equal(
        cv2.imread(target, cv2.IMREAD_UNCHANGED), label)
    assert label_dtype(12, 255) == np.uint8
    assert label_dtype(300, 65535) == np.uint16
    with pytest.raises(ValueError, match='also a class id'):
        label_dtype(300, 255)
    big = np.full((2, 2), 65535, np.uint16)
    write_png_atomic(target, big)
    np.testing.assert_array_equal(
        cv2.imread(target, cv2.IMREAD_UNCHANGED), big)


def test_target_paths_mirror_the_dataset(tmp_path):
    out = str(tmp_path / 'pl')
    assert label_path(out, '/d/img/train/city/a_leftImg8bit.png', '/d/img',
                      '_leftImg8bit.png') == \
        str(tmp_path / 'pl' / 'train' / 'city' / 'a.png')
    assert label_path(out, '/d/img/x/b.jpg', '/d/img', '.png') == \
        str(tmp_path / 'pl' / 'x' / 'b.png')
    with pytest.raises(ValueError, match='not under'):
        label_path(out, '/elsewhere/b.jpg', '/d/img', '.jpg')


def test_plain_config_route(setup):
    """The same run as a plain config, as tools/test.py would run it."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'unify',
                 'pseudo-label_fcn-r18-w16_demo-urban_to_demo-coarse.py'))
    out = str(setup['base'] / 'config_route')
    cfg.test_dataloader.dataset.data_root = osp.join(setup['data'],
                                                     'demo_coarse')
    cfg.test_dataloader.num_workers = 0
    cfg.custom_hooks[0].out_dir = out
    cfg.load_from = setup['ckpt']
    cfg.work_dir = str(setup['base'] / 'work')
    cfg.experiment_name = 'pseudo_label_hook_test_config'
    Runner.from_cfg(cfg).test()
    manifest = json.load(open(osp.join(out, 'manifest.json')))
    assert manifest['status'] == 'complete'
    assert manifest['tta']['scales'] == [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert len(os.listdir(out + '_vis/panels')) == 4
