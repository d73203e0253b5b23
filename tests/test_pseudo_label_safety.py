# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-labelling never damages a dataset, never mixes two runs in one
folder, builds the teacher as tools/test.py does, and writes ordinary files.

Each test reproduces a defect of issue 12 (found on main at 3b0301a).
"""
import json
import os
import os.path as osp
import stat

import cv2
import numpy as np
import pytest
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import (DEMO_TEACHER, ROOT, load_tool, pseudo_label_run,
                     save_seeded_checkpoint)
from mmseg_unify.utils.label_io import read_label
from mmseg_unify.utils.pseudo_label_folder import PseudoLabelFolderError

register_all_modules()

EXTRA = osp.join(ROOT, 'configs', 'unify', 'datasets',
                 'demo_coarse_extra.py')
LAD_TEACHER = osp.join(
    ROOT, 'configs', 'lad',
    'lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py')
# --cfg-options act on the composed config, where the teacher is model.module
OTHER_MEAN = 'model.module.data_preprocessor.mean=[100.0,100.0,100.0]'


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Demo data (32 x 64, 5 extra images) and two random teachers."""
    from mmseg_unify.datasets.demo_data import generate_demo_data
    base = tmp_path_factory.mktemp('safety')
    counts = dict(demo_urban=dict(train=1, val=1),
                  demo_coarse=dict(train=5, val=1),
                  demo_split=dict(train=1, val=1))
    data = generate_demo_data(str(base / 'demo'), seed=0, size=(32, 64),
                              counts=counts)
    return dict(
        data=data, base=base,
        a=save_seeded_checkpoint(DEMO_TEACHER, str(base / 'a.pth'), 0),
        b=save_seeded_checkpoint(DEMO_TEACHER, str(base / 'b.pth'), 1),
        lad=save_seeded_checkpoint(LAD_TEACHER, str(base / 'lad.pth'), 0))


def argv(setup, out, *extra, ckpt='a', teacher=DEMO_TEACHER, options=()):
    return [
        osp.join(ROOT, teacher), setup[ckpt], '--extra', EXTRA, '--out',
        str(out), '--num-workers', '0', '--scales', '1.0', '--no-flip',
        '--work-dir', str(setup['base'] / 'work'), '--cfg-options',
        'test_dataloader.dataset.data_root=' +
        osp.join(setup['data'], 'demo_coarse'), *options, *extra
    ]


def tree(folder):
    """``{relative path: bytes}`` of every file under ``folder``."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            with open(osp.join(root, name), 'rb') as f:
                found[osp.relpath(osp.join(root, name), folder)] = f.read()
    return found


def labels(folder):
    return {k: v for k, v in tree(folder).items() if k.endswith('.png')}


def manifest(folder):
    with open(osp.join(folder, 'manifest.json')) as f:
        return json.load(f)


# ----------------------------------------------------- 1. dataset folders
@pytest.mark.parametrize('inside', [
    'img_dir/train', 'ann_dir/train', 'img_dir', 'img_dir/train/labels',
    '.'])
def test_out_in_or_around_the_dataset_is_refused(setup, inside, tmp_path):
    root = osp.join(setup['data'], 'demo_coarse')
    before = tree(root)
    out = osp.normpath(osp.join(root, inside))
    for extra in ((), ('--no-resume', )):
        with pytest.raises(ValueError, match='--out .* the dataset folder'):
            pseudo_label_run(argv(setup, out, *extra))
    assert tree(root) == before  # nothing written, nothing replaced


def test_out_reached_through_a_symlink_is_refused(setup, tmp_path):
    link = tmp_path / 'link'
    os.symlink(osp.join(setup['data'], 'demo_coarse', 'ann_dir'), link)
    with pytest.raises(ValueError, match='the dataset folder'):
        pseudo_label_run(argv(setup, link / 'train'))


def test_out_beside_the_dataset_folders_is_fine(setup):
    out = osp.join(setup['data'], 'demo_coarse', 'pseudo_labels')
    pseudo_label_run(argv(setup, out))
    assert manifest(out)['status'] == 'complete'


# --------------------------------------------- 2. interrupted --no-resume
def test_interrupted_no_resume_never_mixes_two_teachers(setup):
    ref_b = setup['base'] / 'ref_b'
    pseudo_label_run(argv(setup, ref_b, ckpt='b'))
    out = setup['base'] / 'mixed'
    pseudo_label_run(argv(setup, out, ckpt='a'))
    assert labels(out) != labels(ref_b)
    with pytest.raises(KeyboardInterrupt):
        pseudo_label_run(argv(setup, out, '--no-resume', ckpt='b'),
                         hooks=[dict(type='UnifyTestCrash', after=2)])
    # the old labels are gone the moment the new run starts writing
    assert sorted(labels(out)) == ['000000.png', '000001.png']
    info = manifest(out)
    assert info['status'] == 'interrupted'
    assert info['replaced']['folders'] == [str(out)]
    runner = pseudo_label_run(argv(setup, out, ckpt='b'))
    assert runner.images_seen == 3
    assert labels(out) == labels(ref_b)
    assert not [p for p in os.listdir(setup['base']) if 'replaced' in p]


# ------------------------------------------- 3. the teacher's preprocessor
def test_teacher_model_data_preprocessor_is_used(setup):
    teacher = setup['base'] / 'other_mean_teacher.py'
    teacher.write_text(
        f"_base_ = ['{osp.join(ROOT, DEMO_TEACHER)}']\n"
        'model = dict(data_preprocessor=dict(mean=[100.0, 100.0, 100.0]))\n')
    plain, other = setup['base'] / 'mean_a', setup['base'] / 'mean_b'
    pseudo_label_run(argv(setup, plain))
    pseudo_label_run(argv(setup, other, teacher=str(teacher)))
    assert labels(plain) != labels(other)
    assert manifest(other)['teacher_model']['data_preprocessor'][
        'mean'] == [100.0, 100.0, 100.0]


def test_lad_teacher_pseudo_labels_with_a_zero_label_channel(setup):
    out = setup['base'] / 'lad'
    runner = pseudo_label_run(argv(setup, out, ckpt='lad',
                                   teacher=LAD_TEACHER))
    assert runner.images_seen == 5
    info = manifest(out)
    assert info['status'] == 'complete'
    pre = info['teacher_model']['data_preprocessor']
    assert pre['type'] == 'LabelNoisingDataPreprocessor'
    assert pre['test_label'] == 'zeros'


# --------------------------------------------- 4. resume compares config
def test_resume_with_other_normalisation_is_refused(setup):
    out = setup['base'] / 'norm'
    pseudo_label_run(argv(setup, out))
    before = tree(out)
    with pytest.raises(PseudoLabelFolderError) as err:
        pseudo_label_run(argv(setup, out, options=[OTHER_MEAN]))
    message = str(err.value)
    assert 'teacher_model.data_preprocessor.mean[0]: 123.675 -> 100.0' \
        in message
    assert '--no-resume' in message and str(out) in message
    assert tree(out) == before


# ------------------------------------------------------ 5. file modes
@pytest.mark.parametrize('umask', [0o022, 0o002])
def test_outputs_honour_the_umask(setup, umask):
    out = setup['base'] / f'umask{umask:o}'
    old = os.umask(umask)
    try:
        pseudo_label_run(argv(setup, out, '--colorize', '--num-panels', '1'))
    finally:
        os.umask(old)
    files = [osp.join(r, n) for folder in (out, f'{out}_vis')
             for r, _, names in os.walk(folder) for n in names]
    assert len(files) == 5 + 1 + 5 + 1  # labels, manifest, colour, panel
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask, path


# ------------------------------------------------------------ 7. smaller
def test_folder_with_only_a_manifest_is_accepted(setup):
    out = setup['base'] / 'only_manifest'
    pseudo_label_run(argv(setup, out))
    for name in labels(out):
        os.remove(osp.join(out, name))
    runner = pseudo_label_run(argv(setup, out, options=[OTHER_MEAN]))
    assert runner.images_seen == 5
    assert manifest(out)['status'] == 'complete'


def test_truncated_label_is_remade_and_counts_cover_the_folder(setup):
    out = setup['base'] / 'truncated'
    pseudo_label_run(argv(setup, out))
    reference = labels(out)
    path = osp.join(out, '000002.png')
    with open(path, 'wb') as f:
        f.write(reference['000002.png'][:40])
    runner = pseudo_label_run(argv(setup, out))
    assert runner.images_seen == 1
    assert labels(out) == reference
    counts = manifest(out)['counts']
    assert counts['remade_this_run'] == 1
    assert counts['skipped_this_run'] == 4
    ignored = sum(int((read_label(osp.join(out, n)) == 255).sum())
                  for n in reference)
    pixels = sum(read_label(osp.join(out, n)).size for n in reference)
    assert counts['ignored_pixel_share'] == pytest.approx(ignored / pixels)


def test_files_not_written_by_the_tool_are_refused(setup):
    out = setup['base'] / 'foreign'
    os.makedirs(out)
    cv2.imwrite(str(out / '000000.png'), np.zeros((4, 4), np.uint8))
    for extra in ((), ('--no-resume', )):
        with pytest.raises(PseudoLabelFolderError, match='no manifest.json'):
            pseudo_label_run(argv(setup, out, *extra))
    assert sorted(os.listdir(out)) == ['000000.png']


@pytest.mark.parametrize('scales', [['0'], ['1', '-0.5']])
def test_non_positive_scales_name_the_flag(scales, capsys):
    tool = load_tool('pseudo_label')
    with pytest.raises(SystemExit):
        tool.parse_args(['cfg', 'ckpt', '--extra', 'x', '--out', 'o',
                         '--scales', *scales])
    assert '--scales: every scale factor must be > 0' in \
        capsys.readouterr().err


def test_label_channel_classes_must_match_the_heads():
    from mmengine.config import Config
    from mmseg.registry import MODELS
    cfg = Config.fromfile(LAD_TEACHER)
    cfg.model.data_preprocessor.num_classes = 7
    with pytest.raises(ValueError) as err:
        MODELS.build(cfg.model)
    assert 'model.data_preprocessor.num_classes=7' in str(err.value)
    assert 'model.decode_head.num_classes=12' in str(err.value)
