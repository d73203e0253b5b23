# Copyright (c) mmseg-unify contributors. All rights reserved.
"""A LAD teacher pseudo-labels with the extra dataset's own labels as its
noised label channel (``tools/pseudo_label.py --label-input extra``).

The channel the teacher sees is checked against the extra label files read
independently from disk: one value per raw id (plus pixel noise), flipped
with the flipped TTA copy, resized with a scaled one.
"""
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.hooks import Hook
from mmseg.registry import HOOKS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import (DEMO_TEACHER, ROOT, pseudo_label_run,
                     save_seeded_checkpoint)
from mmseg_unify.utils.label_io import read_label
from mmseg_unify.utils.pseudo_label_folder import PseudoLabelFolderError

register_all_modules()

EXTRA = osp.join(ROOT, 'configs', 'unify', 'datasets',
                 'demo_coarse_extra.py')
LAD_TEACHER = osp.join(
    ROOT, 'configs', 'lad',
    'lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py')
BETA = 0.01  # the demo LAD teacher's pixel-wise noise level
SEEN = []  # (img_path, flip, img_shape, label channel) per forward


@HOOKS.register_module(name='UnifyTestLabelChannel', force=True)
class LabelChannelRecorder(Hook):
    """Records the 4th input channel of every teacher forward."""

    def before_test(self, runner):
        pre = runner.model.module.data_preprocessor

        def record(_module, _args, out):
            for sample, x in zip(out['data_samples'], out['inputs']):
                meta = sample.metainfo
                SEEN.append((meta['img_path'], meta.get('flip', False),
                             tuple(meta['img_shape'][:2]),
                             x[3].detach().clone()))

        pre.register_forward_hook(record)


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from mmseg_unify.datasets.demo_data import generate_demo_data
    base = tmp_path_factory.mktemp('lad_input')
    counts = dict(demo_urban=dict(train=1, val=1),
                  demo_coarse=dict(train=3, val=1),
                  demo_split=dict(train=1, val=1))
    data = generate_demo_data(str(base / 'demo'), seed=0, size=(32, 64),
                              counts=counts)
    return dict(
        base=base, root=osp.join(data, 'demo_coarse'),
        lad=save_seeded_checkpoint(LAD_TEACHER, str(base / 'lad.pth'), 0),
        rgb=save_seeded_checkpoint(DEMO_TEACHER, str(base / 'rgb.pth'), 0))


def run(setup, out, *flags, teacher=LAD_TEACHER, ckpt='lad'):
    SEEN.clear()
    return pseudo_label_run(
        [teacher, setup[ckpt], '--extra', EXTRA, '--out', str(out),
         '--num-workers', '0', '--work-dir', str(out) + '_work',
         '--cfg-options', f'test_dataloader.dataset.data_root={setup["root"]}',
         *flags],
        hooks=[dict(type='UnifyTestLabelChannel')])


def raw_label(setup, img_path):
    name = osp.splitext(osp.basename(img_path))[0] + '.png'
    return read_label(osp.join(setup['root'], 'ann_dir', 'train', name))


def assert_one_value_per_id(channel, raw):
    """Every raw id's pixels share one value up to the pixel noise, and
    different ids got different values."""
    channel = channel.numpy()
    means = {}
    for i in np.unique(raw):
        values = channel[raw == i]
        means[int(i)] = values.mean()
        assert np.abs(values - values.mean()).max() < 6 * BETA, i
    ordered = sorted(means.values())
    assert min(np.diff(ordered), default=1) > 1e-3


def test_the_channel_is_the_noised_extra_label_flipped_per_copy(setup):
    out = setup['base'] / 'extra'
    runner = run(setup, out, '--scales', '1', '--label-input', 'extra')
    assert runner.images_seen == 3
    assert len(SEEN) == 6  # 3 images x (plain, flipped)
    for img_path, flip, shape, channel in SEEN:
        raw = raw_label(setup, img_path)
        assert channel.shape == raw.shape == shape
        assert_one_value_per_id(channel, raw[:, ::-1] if flip else raw)
        if not flip:  # the flipped copy sees the mirrored map, not this
            assert np.abs(channel.numpy() - channel.numpy()[:, ::-1]).max() \
                > 0.1 or (raw == raw[:, ::-1]).all()


def test_scaled_copies_see_the_label_resized_to_their_input(setup):
    out = setup['base'] / 'scaled'
    run(setup, out, '--scales', '0.5', '--no-flip', '--label-input', 'extra')
    for img_path, _, shape, channel in SEEN:
        raw = raw_label(setup, img_path)
        small = cv2.resize(raw, shape[::-1], interpolation=cv2.INTER_NEAREST)
        assert channel.shape == shape == (raw.shape[0] // 2,
                                          raw.shape[1] // 2)
        assert_one_value_per_id(channel, small)


def test_zeros_is_the_default_and_differs_from_the_extra_labels(setup):
    zeros, extra = setup['base'] / 'z', setup['base'] / 'e'
    run(setup, zeros, '--scales', '1', '--no-flip')
    assert all(float(c.abs().max()) == 0 for *_, c in SEEN)
    run(setup, extra, '--scales', '1', '--no-flip', '--label-input', 'extra')
    assert all(float(c.abs().max()) > 0.1 for *_, c in SEEN)
    import json
    with open(osp.join(extra, 'manifest.json')) as f:
        pre = json.load(f)['teacher_model']['data_preprocessor']
    assert (pre['test_label'], pre['label_ids']) == ('noised', 'any')


def test_resuming_with_the_other_label_input_is_refused(setup):
    out = setup['base'] / 'switch'
    run(setup, out, '--scales', '1', '--no-flip')
    with pytest.raises(PseudoLabelFolderError) as err:
        run(setup, out, '--scales', '1', '--no-flip', '--label-input',
            'extra')
    message = str(err.value)
    assert 'teacher_model.data_preprocessor.test_label: "zeros" -> ' \
        '"noised"' in message
    assert 'teacher_model.data_preprocessor.label_ids: null -> "any"' \
        in message
    assert '--no-resume' in message and str(out) in message


def test_an_rgb_teacher_refuses_extra_label_input(setup):
    with pytest.raises(ValueError) as err:
        run(setup, setup['base'] / 'rgb', '--scales', '1', '--label-input',
            'extra', teacher=DEMO_TEACHER, ckpt='rgb')
    message = str(err.value)
    assert '--label-input extra' in message
    assert "'SegDataPreProcessor'" in message
    assert not osp.exists(setup['base'] / 'rgb')


def test_labels_follow_the_ontology_with_extra_label_input(setup):
    """The constraint acts as with a zero channel: every label is a class
    the map allows for its raw id (or ignore where void is allowed)."""
    from mmseg_unify.ontology import Ontology
    from mmseg_unify.utils.paths import ontology_file
    onto = Ontology.from_file(
        ontology_file('maps/demo_coarse_to_demo_urban.yaml'))
    out = setup['base'] / 'extra_check'
    run(setup, out, '--scales', '1', '--no-flip', '--label-input', 'extra')
    for img_path, *_ in SEEN:
        raw = raw_label(setup, img_path)
        label = read_label(osp.join(out, osp.basename(img_path)))
        allowed, void = onto.lookup(raw)
        labelled = label != 255
        assert allowed[labelled, label[labelled]].all()
        assert void[~labelled].all()
