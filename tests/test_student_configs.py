# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LAD student and CWD baseline configs (``configs/lad/*student*``).

Every config loads; its student equals the model of the MMSeg (or demo)
config its name gives; student and teacher build without data and without
network access; both predict the same classes; teacher config and checkpoint
are the ones the name says; the paper's pairs are all there. A few whole
distillers are built with a teacher checkpoint written from a freshly built
teacher.
"""
import copy
import functools
import glob
import os.path as osp
import socket

import pytest
import torch
import yaml
from mmengine.config import Config

import mmseg
import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.models.teacher import load_teacher_config
from mmseg_unify.models.utils import main_head
from helpers import ROOT

register_all_modules(init_default_scope=True)
MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
STUDENTS = sorted(
    osp.basename(p)[:-len('.py')]
    for p in glob.glob(osp.join(ROOT, 'configs/lad/*student*.py')))

CS = '4xb2-80k_cityscapes-512x1024'
STDC = '4xb12-80k_cityscapes-512x1024'
OTHER = ('4xb4-80k_ade20k-512x512', '4xb4-40k_voc12aug-512x512',
         '4xb4-20k_coco-stuff10k-512x512', '4xb4-80k_coco-stuff164k-512x512')
# (student, teacher, schedule and data) of the paper's Tabs. 1 and 4-7;
# 'lad-teacher_*' is our LAD teacher, anything else MMSeg's RGB model.
PAPER_PAIRS = [
    (s, t, CS) for s in ('pspnet_r18-d8', 'deeplabv3_r18-d8')
    for t in ('lad-teacher_pspnet_r18-d8', 'lad-teacher_deeplabv3_r18-d8',
              'deeplabv3_r101-d8', 'pspnet_r101-d8', 'ocrnet_hr48')
] + [
    (s, t, CS) for s in ('fcn_r18-d8', 'fcn_r50-d8')
    for t in (f'lad-teacher_{s}', 'deeplabv3_r101-d8')
] + [
    (s, t, STDC) for s in ('stdc1', 'stdc2')
    for t in ('lad-teacher_stdc1', 'lad-teacher_stdc2', 'deeplabv3_r101-d8')
] + [
    (s, t, CS) for s in ('ocrnet_hr18s', 'ocrnet_hr18')
    for t in (f'lad-teacher_{s}', 'ocrnet_hr48')
] + [
    (s, t, tail) for s in ('pspnet_r50-d8', 'deeplabv3_r50-d8')
    for t in (f'lad-teacher_{s}', 'deeplabv3_r101-d8') for tail in OTHER
] + [
    (s, t, OTHER[1]) for s in ('pspnet_r18-d8', 'deeplabv3_r18-d8')
    for t in (f'lad-teacher_{s}', 'deeplabv3_r101-d8')
]
# whole distillers built in the tests (small students)
FULL_BUILDS = [
    'lad-student_pspnet_r18-d8_lad-teacher-pspnet-r18_' + CS,
    'lad-student_deeplabv3_r18-d8_lad-teacher-pspnet-r18_' + CS,
    'lad-student_pspnet_r50-d8_lad-teacher-pspnet-r50_' + OTHER[0],
]


@pytest.fixture(scope='module', autouse=True)
def parse_mmseg_metafiles_once():
    """Speed only: mmengine parses all of MMSeg's metafiles (0.8 s) for
    every ``mmseg::`` config it resolves; keep the parsed files."""
    import mmengine.config.utils as cfg_utils
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cfg_utils, 'load',
                      functools.lru_cache(maxsize=None)(cfg_utils.load))
        yield


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to download (pretrained weights, checkpoints) fails."""

    def refuse(*args, **kwargs):
        raise AssertionError('network access while building a config')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'getaddrinfo', refuse)


def parse_name(name):
    """``{lad,cwd}-student_<student>_<teacher>_<schedule>_<data>``.

    Returns:
        tuple[str, str, str]: The student (``pspnet_r18-d8``), the teacher
        part (``lad-teacher-pspnet-r18`` or ``deeplabv3-r101-teacher``) and
        the schedule and data part (``4xb2-80k_cityscapes-512x1024``).
    """
    parts = name.split('_')
    i = next(i for i, p in enumerate(parts) if 'teacher' in p)
    return '_'.join(parts[1:i]), parts[i], '_'.join(parts[i + 1:])


def student_base(student, tail):
    """The plain student config a student config's name points to."""
    name = f'{student}_{tail}.py'
    found = glob.glob(osp.join(ROOT, 'configs', '*', name)) + glob.glob(
        osp.join(MMSEG_CONFIGS, '*', name))
    assert len(found) == 1, f'{name}: found {found}'
    return found[0]


def zoo_weights(teacher_cfg):
    """URL of the MMSeg model-zoo weights of an ``mmseg::`` config."""
    family, cfg_name = teacher_cfg[len('mmseg::'):-len('.py')].split('/')
    with open(osp.join(MMSEG_CONFIGS, family, 'metafile.yaml')) as f:
        models = yaml.safe_load(f)['Models']
    return next(m['Weights'] for m in models if m['Name'] == cfg_name)


@functools.lru_cache(maxsize=None)
def load(name):
    return Config.fromfile(osp.join(ROOT, 'configs/lad', name + '.py'))


@functools.lru_cache(maxsize=None)
def teacher_config(path):
    return load_teacher_config(path)


_BUILT = {}


def build(model_cfg):
    """Build a model once per distinct config (identical dicts build alike).
    """
    key = repr(model_cfg.to_dict())
    if key not in _BUILT:
        # a copy: EncoderDecoder writes ``pretrained`` into its backbone cfg
        _BUILT[key] = MODELS.build(copy.deepcopy(model_cfg))
    return _BUILT[key]


def test_no_student_outside_the_paper_pairs():
    assert len([n for n in STUDENTS if 'demo' not in n]) == len(PAPER_PAIRS)


@pytest.mark.parametrize('student,teacher,tail', PAPER_PAIRS)
def test_paper_pair_is_covered(student, teacher, tail):
    short = teacher.replace('_', '-').replace('-d8', '')
    if teacher.startswith('lad-teacher_'):
        name = f'lad-student_{student}_{short}_{tail}'
        teacher_cfg = f'mmseg_unify::lad/{teacher}_{tail}.py'
    else:
        name = f'cwd-student_{student}_{short}-teacher_{tail}'
        family = teacher.split('_')[0]
        teacher_cfg = f'mmseg::{family}/{teacher}_' \
            f'{CS if tail == STDC else tail}.py'
    assert name in STUDENTS
    assert load(name).model.teacher_cfg == teacher_cfg


@pytest.mark.parametrize('name', STUDENTS)
def test_name_matches_student_and_teacher(name):
    cfg = load(name)
    student, teacher, tail = parse_name(name)
    assert cfg.model.type == 'CWDDistiller'
    assert cfg.custom_imports.imports == ['mmseg_unify']
    base = Config.fromfile(student_base(student, tail)).model.to_dict()
    student_cfg = cfg.model.student.to_dict()
    for model in (base, student_cfg):
        model.pop('_scope_', None)  # mmseg:: bases add it
    assert student_cfg == base
    assert cfg.model.distill_loss == dict(
        type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0)

    teacher_cfg, ckpt = cfg.model.teacher_cfg, cfg.model.teacher_ckpt
    stem = osp.basename(teacher_cfg)[:-len('.py')]
    data = tail.split('_', 1)[1]
    assert stem.endswith(data), (stem, data)
    if name.startswith('lad-student_'):
        assert teacher.startswith('lad-teacher-')
        assert teacher_cfg == f'mmseg_unify::lad/{stem}.py'
        assert stem.replace('_', '-').startswith(teacher + '-')
        assert ckpt == f'work_dirs/{stem}'  # the teacher's default work dir
    else:
        assert teacher.endswith('-teacher')
        assert stem.replace('_', '-').startswith(
            teacher[:-len('teacher')])
        if 'demo' not in name:
            assert teacher_cfg.startswith('mmseg::')
            # the model zoo's URL: mmengine downloads and caches it
            assert ckpt == zoo_weights(teacher_cfg)


@pytest.mark.parametrize('name', STUDENTS)
def test_student_builds_and_teacher_predicts_its_classes(name):
    """Every student is built; teachers are read from their configs (LAD
    teachers are built in test_lad_configs.py, the large MMSeg ones only
    cost time)."""
    cfg = load(name)
    classes = main_head(build(cfg.model.student)).num_classes
    teacher = teacher_config(cfg.model.teacher_cfg).model
    head = teacher.decode_head
    assert (head[-1] if isinstance(head, list) else head).num_classes == \
        classes
    if name.startswith('lad-student_'):
        assert teacher.data_preprocessor.type == \
            'LabelNoisingDataPreprocessor'
        assert teacher.data_preprocessor.num_classes == classes
        backbone = teacher.backbone.get('backbone_cfg', teacher.backbone)
        assert backbone.in_channels == 4


@pytest.mark.parametrize('name', FULL_BUILDS)
def test_whole_distiller_builds(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # teacher_cfg needs no working directory
    cfg = load(name)
    teacher = build(teacher_config(cfg.model.teacher_cfg).model)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, ckpt)
    model_cfg = copy.deepcopy(cfg.model)  # building writes into the cfg
    model_cfg.teacher_ckpt = ckpt
    model = MODELS.build(model_cfg)

    assert type(model).__name__ == 'CWDDistiller'
    expected = cfg.model.student.decode_head.num_classes
    assert main_head(model.student).num_classes == expected
    # the teacher holds the checkpoint's weights, frozen, outside the model
    loaded = model.teacher.state_dict()
    for key, value in teacher.state_dict().items():
        assert torch.equal(loaded[key], value), key
    assert not model.teacher.training
    assert not any(p.requires_grad for p in model.teacher.parameters())
    own = {id(p) for p in model.parameters()}
    assert not own & {id(p) for p in model.teacher.parameters()}
    assert type(model.data_preprocessor.teacher).__name__ == \
        'LabelNoisingDataPreprocessor'
