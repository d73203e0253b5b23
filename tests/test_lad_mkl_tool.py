# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/lad_mkl.py loads its teacher strictly."""
import json
import os.path as osp

import pytest

from helpers import (DEMO_TEACHER, ROOT, load_tool,
                     save_seeded_checkpoint)
from mmseg_unify.models.teacher import TeacherCheckpointError

LAD_TEACHER = 'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-' \
    '128x128.py'


def test_a_checkpoint_of_another_network_is_refused(tmp_path):
    # the plain 3-channel FCN's weights do not fit the 4-channel LAD teacher
    ckpt = save_seeded_checkpoint(DEMO_TEACHER, str(tmp_path / 'rgb.pth'))
    tool = load_tool('lad_mkl')
    with pytest.raises(TeacherCheckpointError) as err:
        tool.main([osp.join(ROOT, LAD_TEACHER), ckpt])
    assert 'backbone.stem.0.weight' in str(err.value)
    assert 'shape mismatches' in str(err.value)


def test_mkl_with_cfg_options_and_work_dir(small_demo, tmp_path):
    ckpt = save_seeded_checkpoint(LAD_TEACHER, str(tmp_path / 'lad.pth'))
    tool = load_tool('lad_mkl')
    work = tmp_path / 'mkl'
    value = tool.main([
        osp.join(ROOT, LAD_TEACHER), ckpt, '--k', '3', '--num-images', '2',
        '--work-dir', str(work), '--cfg-options',
        'val_dataloader.dataset.data_root=' +
        osp.join(small_demo, 'demo_urban')])
    with open(work / 'mkl.json') as f:
        saved = json.load(f)
    assert saved['images'] == 2 and saved['k'] == 3
    assert saved['mkl_x100'] == pytest.approx(value)
    assert value > 0  # independent noise draws give different outputs


def test_mkl_flags_are_checked(capsys):
    tool = load_tool('lad_mkl')
    with pytest.raises(SystemExit):
        tool.parse_args(['c.py', 'k.pth', '--k', '1'])
    assert '--k must be at least 2' in capsys.readouterr().err
