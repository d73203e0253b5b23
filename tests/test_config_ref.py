# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Config references (``teacher_cfg``): package-qualified, MMSeg's, absolute,
``{{fileDirname}}``, and relative to the working directory or to the config
that names them; errors list every place looked in."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config

import mmseg_unify  # noqa: F401
from helpers import ROOT
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.utils.cli import load_config
from mmseg_unify.utils.config_ref import (read_config, resolve_config_ref,
                                          resolve_teacher_cfgs)

register_all_modules(init_default_scope=True)
TEACHER = 'lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
STUDENT_BASE = osp.join(ROOT, 'configs/_base_/models/demo_fcn_r18-w16.py')


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def _distiller_config(path, teacher_cfg):
    """A distiller config file: the demo FCN as student, ``teacher_cfg``
    written as given (mmengine may substitute ``{{fileDirname}}``)."""
    return _write(path, (
        f"_base_ = [{STUDENT_BASE!r}]\n"
        "model = dict(_delete_=True, type='CWDDistiller', "
        f"student={{{{_base_.model}}}}, teacher_cfg='{teacher_cfg}', "
        "teacher_ckpt=None)\n"))


def test_package_reference_is_the_shipped_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = resolve_config_ref('mmseg_unify::' + TEACHER)
    assert osp.isabs(path)
    assert osp.samefile(path, osp.join(ROOT, 'configs', TEACHER))
    cfg = read_config('mmseg_unify::' + TEACHER)
    assert cfg.model.type == 'DualPathConsistencySegmentor'


def test_missing_package_reference_names_the_file_looked_for():
    with pytest.raises(FileNotFoundError) as e:
        resolve_config_ref('mmseg_unify::lad/no-such-teacher.py')
    assert osp.join('configs', 'lad', 'no-such-teacher.py') in str(e.value)
    assert 'mmseg_unify::lad/no-such-teacher.py' in str(e.value)


def test_mmseg_reference_is_left_to_mmengine():
    ref = 'mmseg::fcn/fcn_r18-d8_4xb2-80k_cityscapes-512x1024.py'
    assert resolve_config_ref(ref, relative_to='/anywhere') == ref
    assert read_config(ref).model.backbone.depth == 18


def test_relative_path_tries_cwd_then_the_naming_config(tmp_path,
                                                        monkeypatch):
    here, there = tmp_path / 'cwd', tmp_path / 'project' / 'configs'
    beside = _write(there / 'teacher.py', 'model = None\n')
    naming = _write(there / 'student.py', 'model = None\n')
    here.mkdir()
    monkeypatch.chdir(here)
    assert resolve_config_ref('teacher.py', relative_to=naming) == beside
    assert resolve_config_ref('teacher.py', relative_to=str(there)) == beside
    # the working directory comes first and keeps the path as written
    _write(here / 'teacher.py', 'model = None\n')
    assert resolve_config_ref('teacher.py', relative_to=naming) == \
        'teacher.py'


def test_unresolvable_reference_names_every_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    naming = _write(tmp_path / 'configs' / 'student.py', 'model = None\n')
    with pytest.raises(FileNotFoundError) as e:
        resolve_config_ref('lad/teacher.py', relative_to=naming)
    message = str(e.value)
    assert str(tmp_path / 'lad' / 'teacher.py') in message
    assert str(tmp_path / 'configs' / 'lad' / 'teacher.py') in message
    with pytest.raises(FileNotFoundError, match=r'/abs/teacher\.py'):
        resolve_config_ref('/abs/teacher.py')


def test_file_dirname_becomes_the_naming_configs_folder(tmp_path,
                                                        monkeypatch):
    """mmengine substitutes ``{{fileDirname}}`` with the folder of the file
    that contains it, also when a config in another folder inherits it."""
    teacher = _write(tmp_path / 'a' / 'teacher.py', 'model = None\n')
    student = _distiller_config(tmp_path / 'a' / 'b' / 'student.py',
                                '{{fileDirname}}/../teacher.py')
    child = _write(tmp_path / 'c' / 'child.py',
                   f"_base_ = [{student!r}]\n")
    monkeypatch.chdir(tmp_path)
    for path in (student, child):
        ref = Config.fromfile(path).model.teacher_cfg
        assert osp.isabs(ref)
        assert osp.samefile(resolve_config_ref(ref), teacher)
    with pytest.raises(FileNotFoundError, match='fileDirname'):
        resolve_config_ref('{{fileDirname}}/teacher.py')


def test_teacher_cfg_relative_to_its_config_is_made_absolute(tmp_path,
                                                             monkeypatch):
    project = tmp_path / 'project'
    teacher = _write(project / 'my' / 'teacher.py',
                     f"_base_ = [{STUDENT_BASE!r}]\n")
    student = _distiller_config(project / 'my' / 'student.py', 'teacher.py')
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = Config.fromfile(student)
    assert resolve_teacher_cfgs(cfg) == [('teacher.py', teacher)]
    assert cfg.model.teacher_cfg == teacher
    assert resolve_teacher_cfgs(cfg) == []  # absolute now: left alone
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'CWDDistiller'


def test_tools_config_loading_resolves_teacher_cfg(tmp_path, monkeypatch):
    """``tools/train.py`` and ``tools/test.py`` read configs this way."""
    project = tmp_path / 'project'
    teacher = _write(project / 'teacher.py', 'model = None\n')
    student = _distiller_config(project / 'student.py', './teacher.py')
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(config=student, launcher='none', local_rank=0,
                              cfg_options=None, work_dir=None)
    assert load_config(args).model.teacher_cfg == teacher
    # --cfg-options are applied first, then resolved the same way
    args.cfg_options = {'model.teacher_cfg': 'missing.py'}
    with pytest.raises(FileNotFoundError) as e:
        load_config(args)
    assert student in str(e.value)
    assert str(project / 'missing.py') in str(e.value)
    assert str(tmp_path / 'missing.py') in str(e.value)


def test_package_and_cwd_forms_are_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    student = _distiller_config(
        tmp_path / 'student.py',
        'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py')
    cfg = Config.fromfile(student)
    assert resolve_teacher_cfgs(cfg) == []
    cfg.model.teacher_cfg = 'mmseg_unify::' + TEACHER
    assert resolve_teacher_cfgs(cfg) == []


def test_distiller_builds_a_package_teacher_from_any_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(_distiller_config(
        tmp_path / 'student.py', 'mmseg_unify::' + TEACHER))
    model = MODELS.build(cfg.model)
    assert type(model.teacher).__name__ == 'DualPathConsistencySegmentor'


def test_distiller_with_missing_teacher_cfg_names_where_it_looked(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(_distiller_config(tmp_path / 'student.py',
                                            'nowhere/teacher.py'))
    with pytest.raises(FileNotFoundError,
                       match=str(tmp_path / 'nowhere' / 'teacher.py')):
        MODELS.build(cfg.model)
