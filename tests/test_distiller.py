# Copyright (c) mmseg-unify contributors. All rights reserved.
"""CWDDistiller: frozen teacher, loss keys, checkpoints, clear errors."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import load_checkpoint, save_checkpoint

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from helpers import ROOT, random_seg_batch
from mmseg_unify.models.teacher import TeacherCheckpointError

register_all_modules(init_default_scope=True)
SIZE = 32


def tiny_model(width=8, num_classes=5, in_channels=3):
    """The demo FCN at 1/2 width, 32×32 crops."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/demo_fcn_r18-w16.py'))
    m = copy.deepcopy(cfg.model)
    m.data_preprocessor.size = (SIZE, SIZE)
    m.backbone.update(stem_channels=width, base_channels=width,
                      in_channels=in_channels)
    m.decode_head.update(in_channels=8 * width, channels=2 * width,
                         num_classes=num_classes)
    m.auxiliary_head.update(in_channels=4 * width, channels=width,
                            num_classes=num_classes)
    return m


def write_teacher(tmp_path, name='teacher', ckpt=True, **kwargs):
    """A teacher config file and (optionally) a checkpoint of it."""
    model = tiny_model(**kwargs)
    path = str(tmp_path / f'{name}.py')
    Config(dict(model=model)).dump(path)
    ckpt_path = None
    if ckpt:
        ckpt_path = str(tmp_path / f'{name}.pth')
        torch.manual_seed(1)
        save_checkpoint({'state_dict': MODELS.build(model).state_dict()},
                        ckpt_path)
    return path, ckpt_path


def distiller(tmp_path, teacher_kwargs=None, **student_kwargs):
    cfg_path, ckpt = write_teacher(tmp_path, **(teacher_kwargs or {}))
    return MODELS.build(
        dict(
            type='CWDDistiller',
            student=tiny_model(**student_kwargs),
            teacher_cfg=cfg_path,
            teacher_ckpt=ckpt))


def batch(n=2, num_classes=5):
    return random_seg_batch(n, num_classes, SIZE)


def train_step(model):
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
    return optim, model.train_step(batch(), optim)


def test_loss_keys_and_values(tmp_path):
    model = distiller(tmp_path)
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model(**data, mode='loss')
    assert set(losses) >= {'student.decode.loss_ce', 'student.aux.loss_ce',
                           'distill.loss_cwd'}
    assert all(k.startswith(('student.', 'distill.')) for k in losses)
    assert losses['distill.loss_cwd'].item() > 0
    assert losses['distill.loss_cwd'].requires_grad


def test_teacher_frozen_outside_optimizer_and_bn_fixed(tmp_path):
    model = distiller(tmp_path)
    teacher = model.teacher
    before = copy.deepcopy(teacher.state_dict())
    model.train()
    assert not teacher.training
    optim, log_vars = train_step(model)
    assert 'distill.loss_cwd' in log_vars
    after = teacher.state_dict()
    for key, value in before.items():  # weights and BN running stats
        assert torch.equal(value, after[key]), key
    optimised = {id(p) for g in optim.optimizer.param_groups
                 for p in g['params']}
    assert not optimised & {id(p) for p in teacher.parameters()}
    assert optimised == {id(p) for p in model.student.parameters()}
    assert all(not p.requires_grad for p in teacher.parameters())


def test_student_learns_from_teacher_gradient(tmp_path):
    model = distiller(tmp_path)
    model.train()
    data = model.data_preprocessor(batch(), True)
    loss = model(**data, mode='loss')['distill.loss_cwd']
    loss.backward()
    grad = model.student.decode_head.conv_seg.weight.grad
    assert grad is not None and grad.abs().sum() > 0


def test_checkpoint_loads_into_plain_student(tmp_path):
    model = distiller(tmp_path)
    train_step(model)
    state = model.state_dict()
    assert not any(k.startswith(('student.', 'teacher.')) for k in state)
    path = str(tmp_path / 'distilled.pth')
    save_checkpoint({'state_dict': state}, path)
    plain = MODELS.build(tiny_model())
    load_checkpoint(plain, path, strict=True)
    model.eval()
    plain.eval()
    x = torch.rand(1, 3, SIZE, SIZE)
    with torch.no_grad():
        assert torch.allclose(plain(x, mode='tensor'), model(x, mode='tensor'))
    # and back: a plain student checkpoint warm-starts a distiller
    (tmp_path / 'fresh').mkdir()
    fresh = distiller(tmp_path / 'fresh')
    load_checkpoint(fresh, path, strict=True)
    assert torch.equal(fresh.student.decode_head.conv_seg.weight,
                       model.student.decode_head.conv_seg.weight)


def test_predict_uses_student(tmp_path):
    model = distiller(tmp_path)
    model.eval()
    data = model.data_preprocessor(batch(1), False)
    assert 'teacher_inputs' not in data
    out = model(**data, mode='predict')
    assert out[0].pred_sem_seg.data.shape == (1, SIZE, SIZE)


def test_class_mismatch_error(tmp_path):
    with pytest.raises(ValueError, match=r'predicts 7 classes but the '
                       r'student \(FCNHead\) predicts 5'):
        distiller(tmp_path, teacher_kwargs=dict(num_classes=7))


def test_checkpoint_mismatch_names_keys(tmp_path):
    cfg_path, _ = write_teacher(tmp_path, ckpt=False)
    _, other_ckpt = write_teacher(tmp_path, name='wider', width=16)
    with pytest.raises(TeacherCheckpointError) as err:
        MODELS.build(dict(type='CWDDistiller', student=tiny_model(),
                          teacher_cfg=cfg_path, teacher_ckpt=other_ckpt))
    msg = str(err.value)
    assert 'teacher.py' in msg and 'EncoderDecoder' in msg
    assert 'missing keys []; unexpected keys []' in msg
    assert 'shape mismatches [auxiliary_head.' in msg and 'backbone.' in msg
    assert 'checkpoint (16,) vs model (8,)' in msg and 'more]' in msg


def test_checkpoint_missing_and_unexpected_keys(tmp_path):
    cfg_path, ckpt = write_teacher(tmp_path)
    state = torch.load(ckpt)['state_dict']
    state['head.extra.weight'] = state.pop('decode_head.conv_seg.weight')
    save_checkpoint({'state_dict': state}, ckpt)
    with pytest.raises(TeacherCheckpointError,
                       match=r"missing keys \[decode_head.conv_seg.weight\]; "
                       r"unexpected keys \[head.extra.weight\]"):
        MODELS.build(dict(type='CWDDistiller', student=tiny_model(),
                          teacher_cfg=cfg_path, teacher_ckpt=ckpt))


def test_lad_teacher_needs_label_noising_preprocessor(tmp_path):
    cfg_path, _ = write_teacher(tmp_path, ckpt=False, in_channels=4)
    with pytest.raises(ValueError, match='takes 4 input channels.*'
                       'LabelNoisingDataPreprocessor'):
        MODELS.build(dict(type='CWDDistiller', student=tiny_model(),
                          teacher_cfg=cfg_path))


def test_student_initialisation_equals_plain_student(tmp_path):
    torch.manual_seed(5)
    plain = MODELS.build(tiny_model())
    plain.init_weights()
    cfg_path, ckpt = write_teacher(tmp_path)
    torch.manual_seed(5)
    model = MODELS.build(dict(type='CWDDistiller', student=tiny_model(),
                              teacher_cfg=cfg_path, teacher_ckpt=ckpt))
    model.init_weights()
    for (name, a), b in zip(plain.state_dict().items(),
                            model.student.state_dict().values()):
        assert torch.equal(a, b), name


def test_stdc_lad_teacher_needs_label_noising_preprocessor(tmp_path):
    """STDC nests its backbone (``backbone.backbone_cfg.in_channels``)."""
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/lad',
        'lad-teacher_stdc1_4xb12-80k_cityscapes-512x1024.py'))
    cfg.model.data_preprocessor = dict(type='SegDataPreProcessor')
    path = str(tmp_path / 'stdc_teacher.py')
    Config(dict(model=cfg.model)).dump(path)
    with pytest.raises(ValueError, match='takes 4 input channels'):
        MODELS.build(dict(type='CWDDistiller', student=tiny_model(),
                          teacher_cfg=path))
