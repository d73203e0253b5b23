# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The paper's urban chain (Cityscapes source) on datasets in their native
formats, with the real configs: a rehearsal of what a user with the
downloads runs, shrunk to a few pixels and a tiny network.

A workspace stands for the repository root of such a user: the downloads
(``native_fixtures.py``) under ``downloads/`` (the datasets used in place
directly under ``data/``). Every command runs with that workspace as its
working directory and without ``--out`` where it has a default, so that
the relative paths of the converters and of the real configs (``data/...``,
``work_dirs/...``) are the ones written and read:

1. converters and validators (``tools/dataset_converters/``), their default
   ``--out`` (``data/<name>``, ``work_dirs/dataset_checks``);
2. ``tools/check_ontology.py <extra>_to_cityscapes --labels ...``;
3. ``tools/pseudo_label.py`` with ``unify-teacher_segformer_mit-b5_...
   cityscapes`` and each ``configs/unify/datasets/<extra>_extra.py``
   (``data_root`` pointed at the workspace by ``--cfg-options``), the model
   shrunk by ``--cfg-options`` (no pretrained weights; its checkpoint is
   saved here), into the student's default ``PSEUDO_LABEL_ROOT``;
4. ``tools/train.py`` with ``unify-student_..._cityscapes-unified`` (one
   epoch over Cityscapes + the 11 pseudo-labelled extras, validated on
   Cityscapes val), then ``unify-student-finetune_...`` (two iterations,
   from the student's work dir, its default ``load_from``);
5. ``tools/test.py`` with ``wilddash-test_...`` on the converted WildDash.

What is changed by ``--cfg-options`` and nothing else: the network's
widths and depths and ``init_cfg=None``, the schedule length (epochs,
iterations, intervals), ``num_workers=0`` and the experiment names. The
shipped pipelines (resize to 2048 x 1024, 1024 x 1024 crops, slide
inference) run as they are; pseudo-labelling uses the tool's own
``--scales 0.5 1`` instead of the seven scales of the config.
"""
import os
import os.path as osp
import subprocess
import sys
import time
from contextlib import contextmanager

import numpy as np
import pytest

from helpers import ROOT, load_tool, save_seeded_checkpoint
from mmseg_unify.utils.label_io import read_label
from native_fixtures import (make_a2d2, make_apolloscape, make_bdd,
                             make_camvid, make_cityscapes, make_coco,
                             make_goose, make_idd, make_mapillary,
                             make_nuimages, make_road_lane, make_waymo,
                             make_wilddash)

UNIFY = osp.join(ROOT, 'configs', 'unify')
TEACHER = osp.join(
    UNIFY, 'unify-teacher_segformer_mit-b5_8xb1-160k_cityscapes-1024x1024.py')
STUDENT_NAME = 'unify-student_segformer_mit-b5_8xb1-50e_cityscapes-' \
    'unified-1024x1024'
FINETUNE_NAME = 'unify-student-finetune_segformer_mit-b5_8xb1-20k_' \
    'cityscapes-1024x1024'
WILDDASH = osp.join(UNIFY,
                    'wilddash-test_segformer_mit-b5_cityscapes-1024x1024.py')
# A SegFormer of 8 channels and one block per stage (MiT-B5: 64..512
# channels, 3/6/40/3 blocks), initialised at random.
TINY = {
    'backbone.embed_dims': 8,
    'backbone.num_layers': [1, 1, 1, 1],
    'backbone.num_heads': [1, 1, 1, 1],
    'backbone.init_cfg': None,
    'decode_head.in_channels': [8, 8, 8, 8],
    'decode_head.channels': 8,
}
NO_WORKERS = [f'{loader}.{key}' for loader in (
    'train_dataloader', 'val_dataloader', 'test_dataloader')
    for key in ('num_workers=0', 'persistent_workers=False')]
# the 11 extras of the student config: name (its folder of pseudo-labels
# and map <name>_to_cityscapes), folder under data/, label folder, suffix
EXTRAS = [
    ('a2d2', 'a2d2', 'labels', '.png'),
    ('apolloscape', 'apolloscape', 'Label', '_bin.png'),
    ('bdd', 'bdd100k', 'labels/sem_seg/masks/train', '.png'),
    ('camvid', 'camvid', 'labels', '.png'),
    ('idd', 'idd', 'gtFine/train', '_gtFine_labelids.png'),
    ('mapillary_vistas', 'mapillary', 'training/v1.2/labels', '.png'),
    ('nuimages', 'nuimages', 'masks', '.png'),
    ('waymo', 'waymo', 'labels', '.png'),
    ('coco_panoptic', 'coco', 'panoptic_semseg_train2017', '.png'),
    ('goose2d', 'goose', 'labels/train', '_labelids.png'),
    ('road_lane_segmentation', 'road_lane_segmentation', 'labels', '.png'),
]
PSEUDO_ROOT = 'work_dirs/pseudo_labels/cityscapes'  # the student's default
SECONDS = {}  # stage -> wall time, printed by the last test


def option(key, value):
    """One ``--cfg-options`` item (lists without spaces)."""
    if isinstance(value, list):
        value = '[' + ','.join(str(v) for v in value) + ']'
    return f'{key}={value}'


def tiny(prefix):
    return [option(prefix + k, v) for k, v in TINY.items()]


def timed(stage):
    def wrap(func):
        def run(*args, **kwargs):
            start = time.perf_counter()
            result = func(*args, **kwargs)
            SECONDS[stage] = round(time.perf_counter() - start, 1)
            return result
        return run
    return wrap


@contextmanager
def inside(ws):
    """The workspace as working directory (of the tools run in-process)."""
    cwd = os.getcwd()
    os.chdir(ws)
    try:
        yield
    finally:
        os.chdir(cwd)


def command(ws, script, *args):
    """``python tools/<script> ARGS`` in the workspace; its output."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    env.pop('PSEUDO_LABEL_ROOT', None)  # the student config's default root
    done = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', script), *map(str, args)],
        cwd=ws, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, \
        f'{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}'
    return done.stdout + done.stderr


# ------------------------------------------------------------ 1. data
@timed('convert')
def convert_all(ws):
    """The downloads and ``data/``; returns every converter's summary."""
    down, data = osp.join(ws, 'downloads'), osp.join(ws, 'data')
    make_cityscapes(osp.join(data, 'cityscapes'), splits=('train', 'val'),
                    train_ids=True)
    make_mapillary(osp.join(data, 'mapillary'))
    make_bdd(osp.join(data, 'bdd100k'))
    make_goose(osp.join(data, 'goose'))
    make_apolloscape(osp.join(down, 'apolloscape'))
    # the config reads one road folder as data/apolloscape
    os.symlink(osp.join(down, 'apolloscape', 'road01_ins'),
               osp.join(data, 'apolloscape'))
    natives = dict(a2d2=make_a2d2, camvid=make_camvid, idd=make_idd,
                   nuimages=make_nuimages, coco=make_coco,
                   road_lane_segmentation=make_road_lane,  # .jpg images
                   wilddash=make_wilddash,
                   waymo=lambda p: make_waymo(p)[0])
    for name, make in natives.items():
        make(osp.join(down, name))
    runs = [  # (converter, SRC, flags); --out: the default
        ('cityscapes', 'data/cityscapes', []),
        ('mapillary_vistas', 'data/mapillary', []),
        ('bdd100k', 'data/bdd100k', []),
        ('goose', 'data/goose', []),
        ('apolloscape', 'data/apolloscape', []),
        ('a2d2', 'downloads/a2d2', []),
        ('camvid', 'downloads/camvid', []),
        ('idd', 'downloads/idd', []),
        ('nuimages', 'downloads/nuimages', ['--versions', 'v1.0-mini']),
        ('waymo', 'downloads/waymo', []),
        ('coco_panoptic', 'downloads/coco', ['--splits', 'train']),
        ('road_lane', 'downloads/road_lane_segmentation', []),
        ('wilddash', 'downloads/wilddash', []),
    ]
    summaries = {}
    with inside(ws):
        for name, src, flags in runs:
            tool = load_tool(f'dataset_converters/{name}')
            summaries[name] = tool.main([src, *flags])
    return summaries


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    ws = str(tmp_path_factory.mktemp('rehearsal'))
    return ws, convert_all(ws)


def test_converters_write_the_layouts_the_extra_configs_read(workspace):
    from mmengine.config import Config
    ws, summaries = workspace
    assert [k for k, v in summaries.items() if v['error_count']] == []
    assert summaries['cityscapes']['validated'] == 2  # train and val
    assert summaries['waymo']['written'] == 2 and \
        summaries['coco_panoptic']['written'] == 2
    written = dict(a2d2='a2d2', camvid='camvid', idd='idd',
                   nuimages='nuimages', waymo='waymo', coco_panoptic='coco',
                   road_lane='road_lane_segmentation', wilddash='wilddash')
    for name, folder in written.items():  # by default --out
        assert osp.samefile(summaries[name]['out'],
                            osp.join(ws, 'data', folder)), name
    for name, folder, labels, suffix in EXTRAS:
        extra = Config.fromfile(osp.join(UNIFY, 'datasets',
                                         f'{name}_extra.py'))
        dataset = extra.test_dataloader.dataset
        # the shipped data_root is the converter's default --out (or
        # where the download is used in place)
        assert dataset.data_root == f'data/{folder}', name
        assert dataset.seg_map_suffix == suffix, name
        assert dataset.data_prefix.seg_map_path == labels, name


# ------------------------------------------------------- 2. the maps
def test_check_ontology_counts_the_converted_labels(workspace, capsys):
    ws, _ = workspace
    tool = load_tool('check_ontology')
    for name, folder, labels, suffix in EXTRAS:
        label_dir = osp.join(ws, 'data', folder, labels)
        assert tool.main([f'{name}_to_cityscapes', '--labels', label_dir,
                          '--suffix', suffix]) == 0, name
        out = capsys.readouterr().out
        files = [f for _, _, fs in os.walk(label_dir) for f in fs
                 if f.endswith(suffix)]
        pixels = sum(read_label(osp.join(d, f)).size
                     for d, _, fs in os.walk(label_dir) for f in fs
                     if f.endswith(suffix))
        assert f'pixels: {pixels} in {len(files)} files' in out, (name, out)


# ---------------------------------------------------- 3. pseudo-labels
@timed('pseudo-label')
def pseudo_label_all(ws, checkpoint):
    tool = load_tool('pseudo_label')
    with inside(ws):
        for name, folder, _, _ in EXTRAS:
            tool.main([
                TEACHER, checkpoint, '--extra',
                osp.join(UNIFY, 'datasets', f'{name}_extra.py'),
                '--ontology', f'{name}_to_cityscapes', '--out',
                f'{PSEUDO_ROOT}/{name}', '--scales', '0.5', '1',
                '--num-workers', '0', '--work-dir',
                f'work_dirs/pseudo_label/{name}', '--cfg-options',
                *tiny('model.module.'),
                f'test_dataloader.dataset.data_root={ws}/data/{folder}',
                f'experiment_name=rehearsal_pseudo_label_{name}'])


@pytest.fixture(scope='module')
def pseudo_labelled(workspace):
    ws, _ = workspace
    checkpoint = osp.join(ws, 'teacher_tiny.pth')
    save_seeded_checkpoint(TEACHER, checkpoint,
                           cfg_options={f'model.{k}': v
                                        for k, v in TINY.items()})
    pseudo_label_all(ws, checkpoint)
    return ws


def pseudo(ws, name, rel):
    return read_label(osp.join(ws, PSEUDO_ROOT, name, rel))


def test_teacher_pseudo_labels_every_extra_within_the_map(pseudo_labelled):
    ws = pseudo_labelled
    for name, folder, labels, suffix in EXTRAS:
        root = osp.join(ws, PSEUDO_ROOT, name)
        written = [f for _, _, fs in os.walk(root) for f in fs
                   if f.endswith('.png')]
        natives = [f for _, _, fs in os.walk(osp.join(ws, 'data', folder,
                                                      labels))
                   for f in fs if f.endswith(suffix)]
        assert len(written) == len(natives) > 0, name
    # pixels whose extra class allows exactly one Cityscapes class (without
    # void) get it whatever the random teacher says; Cityscapes train ids:
    # road 0, pole 5, sky 10, car 13; 255 unlabelled
    a2d2 = pseudo(ws, 'a2d2', 'scene_1/cam_front_center/'
                  '1_camera_frontcenter_000001.png')
    # car, sidebar -> pole, painted driv. instr. -> road, sky
    assert (a2d2[0, 0], a2d2[2, 3], a2d2[5, 7], a2d2[4, 4]) == (13, 5, 0, 10)
    nuimages = pseudo(ws, 'nuimages', 'CAM_FRONT/n1.png')
    assert (nuimages[2, 2], nuimages[4, 0]) == (13, 0)  # car, driveable
    waymo = pseudo(ws, 'waymo', 'training/seg1/2000_FRONT.png')
    assert (waymo[0, 0], waymo[1, 1], waymo[4, 5]) == (10, 13, 0)
    coco = pseudo(ws, 'coco_panoptic', '000000000139.png')
    # road, sky-other-merged, car
    assert (coco[4, 4], coco[0, 3], coco[3, 3]) == (0, 10, 13)
    # the unlabelled segment 0 (raw 255, "void" in coco_panoptic.yaml) may
    # be pole, traffic sign, vegetation, terrain, sky or truck (the map's
    # systematic-error entry) where the teacher is sure, else it stays
    # unlabelled (correction coco-void-may-stay-void)
    assert coco[5, 7] in {5, 7, 8, 9, 10, 14, 255}
    for name, *_ in EXTRAS:
        for d, _, fs in os.walk(osp.join(ws, PSEUDO_ROOT, name)):
            for f in fs:
                if f.endswith('.png'):
                    ids = set(np.unique(read_label(osp.join(d, f))).tolist())
                    assert ids <= set(range(19)) | {255}, (name, f, ids)


# ------------------------------------------- 4.-5. students and test
@timed('student, fine-tune, test')
def train_and_test(ws):
    student = osp.join(UNIFY, f'{STUDENT_NAME}.py')
    finetune = osp.join(UNIFY, f'{FINETUNE_NAME}.py')
    logs = {}
    logs['student'] = command(
        ws, 'train.py', student, '--cfg-options', *tiny('model.'),
        *NO_WORKERS, 'train_cfg.max_epochs=1')
    # its load_from is the student's work dir (its best checkpoint)
    logs['finetune'] = command(
        ws, 'train.py', finetune, '--cfg-options', *tiny('model.'),
        *NO_WORKERS, 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2')
    logs['test'] = command(
        ws, 'test.py', WILDDASH,
        osp.join(ws, 'work_dirs', FINETUNE_NAME, 'iter_2.pth'),
        '--cfg-options', *tiny('model.'), *NO_WORKERS)
    return logs


@pytest.fixture(scope='module')
def trained(pseudo_labelled):
    return pseudo_labelled, train_and_test(pseudo_labelled)


def test_student_finetune_and_wilddash_test_run_as_shipped(trained):
    ws, logs = trained
    work = osp.join(ws, 'work_dirs')
    student_files = os.listdir(osp.join(work, STUDENT_NAME))
    assert 'best_mIoU_epoch_1.pth' in student_files, student_files
    # one epoch: Cityscapes train (1 image) + 13 pseudo-labelled images
    assert 'Epoch(train) [1][14/14]' in logs['student'], \
        logs['student'][-3000:]
    assert 'Epoch(val) [1][1/1]' in logs['student']
    # the fine-tuning's load_from, the student's work dir, is its best
    assert f'Load checkpoint from work_dirs/{STUDENT_NAME}/' \
        'best_mIoU_epoch_1.pth' in logs['finetune']
    assert osp.isfile(osp.join(work, FINETUNE_NAME, 'iter_2.pth'))
    assert 'mIoU' in logs['test'] and 'Iter(test) [1/1]' in logs['test']
    print('\nrehearsal stages (s):', SECONDS)
