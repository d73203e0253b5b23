# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The pseudo-label manifest: identity comparison and folder opening."""
import json
import os
import os.path as osp

import pytest

from mmseg_unify.utils import pseudo_label_folder as pf
from mmseg_unify.utils import pseudo_label_manifest as pm
from mmseg_unify.utils.label_io import write_png_atomic


def identity(**changes):
    base = dict(
        run_id='r1', checkpoint_sha256='aa',
        teacher_model=dict(type='EncoderDecoder', data_preprocessor=dict(
            mean=[1.0, 2.0], std=[3.0])),
        ontology_sha256='bb', pseudo_label_model=dict(priors=True),
        tta=dict(scales=[1.0], flip=False), dataset=dict(type='X'),
        label_suffix='.png', label_dtype='uint8')
    base.update(changes)
    return base


def test_identity_differences_name_each_leaf():
    old = identity()
    new = identity(run_id='r2', tta=dict(scales=[0.5], flip=False))
    new['teacher_model']['data_preprocessor']['mean'] = [1.0, 5.0]
    assert pm.identity_differences(old, new) == [
        'teacher_model.data_preprocessor.mean[1]: 2.0 -> 5.0',
        'tta.scales[0]: 1.0 -> 0.5',
    ]  # run_id is no identity field
    assert pm.identity_differences(old, identity(run_id='r3')) == []


def test_model_identity_drops_what_loading_replaces():
    cfg = dict(type='M', backbone=dict(init_cfg=dict(checkpoint='x.pth'),
                                       depth=18), pretrained='y.pth')
    assert pm.model_identity(cfg) == dict(type='M',
                                          backbone=dict(depth=18))


def test_is_complete_checks_status_and_fields(tmp_path):
    folder = str(tmp_path)
    assert not pm.is_complete(folder)
    manifest = pf.open_label_folder(folder, identity(), resume=True)
    assert manifest['status'] == 'running' and not pm.is_complete(folder)
    pf.finish_manifest(folder, manifest, dict(run_id='r1'), {}, 'complete')
    assert pm.is_complete(folder, dict(checkpoint_sha256='aa'))
    assert not pm.is_complete(folder, dict(checkpoint_sha256='zz'))


def test_no_resume_moves_the_old_folder_aside_atomically(tmp_path):
    folder, vis = str(tmp_path / 'pl'), str(tmp_path / 'pl_vis')
    pf.open_label_folder(folder, identity(), resume=True)
    write_png_atomic(osp.join(folder, 'a.png'), pm_label())
    write_png_atomic(osp.join(vis, 'color', 'a.png'), pm_label())
    # a --no-resume run killed after the move, before the deletion
    os.makedirs(str(tmp_path / '.pl.replaced-old'))
    manifest = pf.open_label_folder(folder, identity(run_id='r2'),
                                    resume=False, derived=[vis])
    assert manifest['replaced'] == dict(run_id='r1', folders=[folder, vis])
    assert sorted(os.listdir(tmp_path)) == ['pl']
    assert os.listdir(folder) == ['manifest.json']
    with open(osp.join(folder, 'manifest.json')) as f:
        assert json.load(f)['run_id'] == 'r2'


def test_unreadable_manifest_names_the_file(tmp_path):
    (tmp_path / 'manifest.json').write_text('{"status": ')
    with pytest.raises(ValueError, match='manifest.json is not a valid'):
        pm.read_manifest(str(tmp_path))


def pm_label():
    import numpy as np
    return np.zeros((2, 2), np.uint8)
