# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/lad_mkl.py loads its teacher strictly."""
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
