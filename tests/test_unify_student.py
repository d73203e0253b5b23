# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Unified-student configs (demo and real data) and tools/unify_demo.py."""
import copy
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmseg.registry import DATASETS, HOOKS, MODELS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from mmseg_unify.datasets.taxonomy_dataset import (TaxonomySegDataset,
                                                   ontology_label_map)
from mmseg_unify.ontology import Ontology, resolve_ontology_file
from helpers import ROOT, load_tool

register_all_modules(init_default_scope=True)

UNIFY = osp.join(ROOT, 'configs', 'unify')
DEMO = '_fcn_r18-w16-d8_1xb4-2k_demo-urban-unified-128x128.py'
OURS = 'unify-student' + DEMO
NAIVE = 'naive-student' + DEMO
IT2 = 'unify-student-it2' + DEMO
FT = '-finetune_fcn_r18-w16-d8_1xb4-500_demo-urban-128x128.py'
OURS_FT = 'unify-student' + FT
NAIVE_FT = 'naive-student' + FT
REAL = {
    # config -> (classes, extra datasets, first dataset type)
    'unify-student_segformer_mit-b5_8xb1-50e_cityscapes-unified-'
    '1024x1024.py': (19, 11, 'CityscapesDataset'),
    'unify-student_segformer_mit-b5_8xb1-50e_mapillary63-unified-'
    '1024x1024.py': (63, 11, 'MapillaryDataset_v1'),
    'unify-student_segformer_mit-b5_8xb1-50e_goose-offroad-unified-'
    '1024x1024.py': (34, 5, 'TaxonomySegDataset'),
}
SOURCE_OF = {'cityscapes': 'cityscapes', 'mapillary63': 'mapillary',
             'goose-offroad': 'offroad'}


def load(name):
    return Config.fromfile(osp.join(UNIFY, name))


def seg_map_paths(cfg):
    return [d.data_prefix.seg_map_path
            for d in cfg.train_dataloader.dataset.datasets]


# ------------------------------------------------------------ demo configs
@pytest.mark.parametrize('name', [OURS, NAIVE, IT2, OURS_FT, NAIVE_FT])
def test_demo_configs_build(name):
    cfg = load(name)
    assert cfg.default_scope == 'mmseg'
    model = MODELS.build(cfg.model)
    with torch.no_grad():
        out = model(torch.rand(1, 3, 32, 32), mode='tensor')
    assert out.shape[1] == 12


def test_variants_differ_only_in_pseudo_label_folders():
    ours, naive, it2 = load(OURS), load(NAIVE), load(IT2)
    assert seg_map_paths(ours) == [
        'ann_dir/train', 'work_dirs/pseudo_labels/demo_coarse',
        'work_dirs/pseudo_labels/demo_split'
    ]
    assert seg_map_paths(naive)[1:] == [
        'work_dirs/pseudo_labels/demo_coarse_no_priors',
        'work_dirs/pseudo_labels/demo_split_no_priors'
    ]
    assert seg_map_paths(it2)[1:] == [
        'work_dirs/pseudo_labels_it2/demo_coarse',
        'work_dirs/pseudo_labels_it2/demo_split'
    ]
    for other in (naive, it2):
        for i in (1, 2):
            other.train_dataloader.dataset.datasets[i].data_prefix = \
                ours.train_dataloader.dataset.datasets[i].data_prefix
        assert other.to_dict() == ours.to_dict()


def test_early_stopping_on_val_miou():
    cfg = load(OURS)
    assert cfg.train_cfg.val_interval == 100
    assert cfg.default_hooks.checkpoint.save_best == 'mIoU'
    [hook_cfg] = [h for h in cfg.custom_hooks
                  if h.type == 'EarlyStoppingHook']
    assert (hook_cfg.monitor, hook_cfg.rule, hook_cfg.patience) == (
        'mIoU', 'greater', 5)
    hook = HOOKS.build(hook_cfg)

    class Loop:
        stop_training = False

    class Runner:
        train_loop = Loop()
        logger = MMLogger.get_current_instance()

    runner = Runner()
    # the best validation, then 5 without improvement: stop after the 5th
    for i, miou in enumerate([50.0, 49.0, 49.5, 48.0, 49.9, 49.99]):
        assert not runner.train_loop.stop_training, i
        hook.after_val_epoch(runner, dict(mIoU=miou))
    assert runner.train_loop.stop_training


def test_finetune_configs():
    student, ft, naive_ft = load(OURS), load(OURS_FT), load(NAIVE_FT)
    lr = student.optim_wrapper.optimizer.lr
    assert ft.optim_wrapper.optimizer.lr == pytest.approx(0.1 * lr)
    assert ft.load_from == osp.join('work_dirs', osp.splitext(OURS)[0])
    assert naive_ft.load_from == osp.join('work_dirs',
                                          osp.splitext(NAIVE)[0])
    # the source alone, same validation as the student
    assert ft.train_dataloader.dataset.type == 'DemoUrbanDataset'
    assert ft.val_dataloader == student.val_dataloader
    assert ft.train_cfg.max_iters == 500
    assert ft.param_scheduler[0].end == 500


def test_unified_dataset_reads_pseudo_labels(small_demo, tmp_path):
    """The concat dataset yields source samples with their ground truth and
    extra samples with the pseudo-label files, in that order."""
    cfg = load(OURS)
    parts = cfg.train_dataloader.dataset.datasets
    parts[0].data_root = osp.join(small_demo, 'demo_urban')
    fake = {}
    for i, extra in ((1, 'demo_coarse'), (2, 'demo_split')):
        images = osp.join(small_demo, extra, 'img_dir', 'train')
        labels = tmp_path / extra
        labels.mkdir()
        for k, name in enumerate(sorted(glob.glob(osp.join(images, '*')))):
            label = np.full((128, 256), 10 * i + k, np.uint8)
            label[:, :8] = 255
            cv2.imwrite(str(labels / osp.basename(name)), label)
            fake[(extra, osp.basename(name))] = label
        parts[i].data_prefix = dict(img_path=images, seg_map_path=str(labels))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 8 + 6 + 6
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert all('demo_urban' in d['seg_map_path'] for d in infos[:8])
    for d in infos[8:]:
        extra = 'demo_coarse' if '/demo_coarse/' in d['img_path'] \
            else 'demo_split'
        assert d['seg_map_path'] == str(
            tmp_path / extra / osp.basename(d['img_path']))
    # the normal training pipeline runs on a pseudo-labelled sample
    sample = dataset[8]
    gt = sample['data_samples'].gt_sem_seg.data
    assert gt.shape[0] == 1 and max(gt.shape[1:]) <= 128  # crop 128x128
    assert set(gt.unique().tolist()) <= {10, 255}
    # and without the random transforms the label is the file's
    plain = copy.deepcopy(cfg.train_dataloader.dataset)
    for part in plain.datasets:
        part.pipeline = [dict(type='LoadAnnotations')]
    loaded = DATASETS.build(plain)[8 + 6]
    np.testing.assert_array_equal(loaded['gt_seg_map'],
                                  fake[('demo_split', '000000.png')])


# ------------------------------------------------------------ real configs
@pytest.mark.parametrize('name', sorted(REAL))
def test_real_student_builds(name):
    classes, extras, source_type = REAL[name]
    cfg = load(name)
    assert 'mmseg_unify' in cfg.custom_imports['imports']
    assert cfg.model.decode_head.num_classes == classes
    [hook] = [h for h in cfg.custom_hooks if h.type == 'EarlyStoppingHook']
    assert (hook.monitor, hook.patience) == ('mIoU', 15)
    assert cfg.train_cfg.val_interval == 1  # validate every epoch
    parts = copy.deepcopy(cfg.train_dataloader.dataset)
    assert len(parts.datasets) == 1 + extras
    assert parts.datasets[0].type == source_type
    parts.lazy_init = True  # no data here
    for part in parts.datasets:
        part.lazy_init = True
    dataset = DATASETS.build(parts)  # metainfo of every part agrees
    assert len(dataset.metainfo['classes']) == classes
    val = copy.deepcopy(cfg.val_dataloader.dataset)
    val.lazy_init = True
    assert DATASETS.build(val).metainfo['classes'] == \
        dataset.metainfo['classes']
    model = MODELS.build(cfg.model)
    assert model.decode_head.conv_seg.out_channels == classes


@pytest.mark.parametrize('name', sorted(REAL))
def test_real_teacher_and_finetune(name):
    student = load(name)
    ft = load(name.replace('unify-student_', 'unify-student-finetune_')
              .replace('-50e_', '-20k_').replace('-unified-', '-'))
    teacher = load(name.replace('unify-student_', 'unify-teacher_')
                   .replace('-50e_', '-160k_').replace('-unified-', '-'))
    lr = student.optim_wrapper.optimizer.lr
    assert ft.optim_wrapper.optimizer.lr == pytest.approx(0.1 * lr)
    assert ft.load_from == osp.join('work_dirs', osp.splitext(name)[0])
    source = student.train_dataloader.dataset.datasets[0]
    for cfg in (ft, teacher):
        assert cfg.train_dataloader.dataset == source
        assert cfg.model.decode_head.num_classes == \
            student.model.decode_head.num_classes


def test_real_pseudo_label_roots_follow_the_environment(monkeypatch):
    name = sorted(REAL)[0]
    monkeypatch.setenv('PSEUDO_LABEL_ROOT', 'work_dirs/pl_no-priors')
    roots = seg_map_paths(load(name))[1:]
    assert roots and all(r.startswith('work_dirs/pl_no-priors/')
                         for r in roots)


EXTRA_CONFIGS = sorted(
    p for p in glob.glob(osp.join(UNIFY, 'datasets', '*_extra.py'))
    if not osp.basename(p).startswith('demo_'))


@pytest.mark.parametrize('path', EXTRA_CONFIGS, ids=osp.basename)
def test_real_extra_configs_compose(path):
    """Every extra composes with tools/pseudo_label.py into a TTA run that
    reads raw ids, and every map of its taxonomy describes its labels.
    ``<taxonomy>_extra.py`` or ``<taxonomy>_<part>_extra.py`` (a second
    folder of the same dataset, e.g. IDD part II)."""
    tool = load_tool('pseudo_label')
    extra = Config.fromfile(path).test_dataloader.dataset.taxonomy
    assert osp.basename(path) == f'{extra}_extra.py' or \
        osp.basename(path).startswith(f'{extra}_part'), path
    teacher = osp.join(
        UNIFY, 'unify-teacher_segformer_mit-b5_8xb1-160k_'
        'cityscapes-1024x1024.py')
    maps = sorted(
        osp.basename(p)[:-len('.yaml')] for p in glob.glob(
            osp.join(ROOT, 'ontology_maps', 'maps', f'{extra}_to_*.yaml')))
    assert maps, extra
    for name in maps:
        assert Ontology.from_file(name, warn=False).extra.name == extra
    args = tool.parse_args([
        teacher, 'ckpt.pth', '--extra', path, '--ontology', maps[0],
        '--out', 'work_dirs/x'
    ])
    cfg = tool.build_config(args)
    dataset = copy.deepcopy(cfg.test_dataloader.dataset)
    assert (dataset.type, dataset.raw_ids) == ('TaxonomySegDataset', True)
    assert dataset.taxonomy == extra
    dataset.lazy_init = True
    assert DATASETS.build(dataset).label_map is None


# -------------------------------------------- TaxonomySegDataset + ontology
def test_ground_truth_through_an_ontology_map():
    onto = Ontology.from_file('goose2d_to_offroad', warn=False)
    label_map = ontology_label_map(onto)
    extra = {c.name: c.id for c in onto.extra.classes}
    source = list(onto.source.names)
    assert label_map[extra['asphalt']] == source.index('asphalt')
    assert label_map[extra['caravan']] == 255  # [caravan, void]: undecided
    assert label_map[extra['ego_vehicle']] == 255  # void only
    assert label_map[200] == 255  # no such id
    # every id against the map file itself
    with open(resolve_ontology_file('goose2d_to_offroad')) as f:
        allowed = yaml.safe_load(f)['allowed']
    expected = {raw: 255 for raw in range(256)}
    for name, targets in allowed.items():
        if len(targets) == 1 and targets[0] != 'void':
            expected[extra[name]] = source.index(targets[0])
    assert {raw: label_map.get(raw, raw) for raw in range(256)} == expected


def test_ontology_mode_checks_the_taxonomy(tmp_path):
    with pytest.raises(ValueError, match='needs taxonomy=.offroad.'):
        TaxonomySegDataset(
            taxonomy='goose2d', ontology='goose2d_to_offroad',
            data_root=str(tmp_path), lazy_init=True)
    dataset = TaxonomySegDataset(
        taxonomy='offroad', ontology='goose2d_to_offroad',
        data_root=str(tmp_path), lazy_init=True)
    assert len(dataset.metainfo['classes']) == 34


# ------------------------------------------------------ tools/unify_demo.py
@pytest.fixture(scope='module')
def unify_demo():
    return load_tool('unify_demo')


def test_student_options_set_the_right_folders(unify_demo):
    cfg = load(OURS)
    options = unify_demo.student_options(
        3, {'demo_split': 'B', 'demo_coarse': 'A'}, unify_demo.STEPS['quick'])
    cfg.merge_from_dict(dict(o.split('=', 1) for o in options))
    assert seg_map_paths(cfg) == ['ann_dir/train', 'A', 'B']
    assert cfg.custom_hooks[0].patience == '2'
    assert cfg.train_cfg.max_iters == '200'


def test_finetune_resumes_from_its_own_checkpoint(unify_demo, tmp_path,
                                                  monkeypatch):
    from mmseg_unify.experiments import unify_demo_steps
    monkeypatch.setattr(unify_demo_steps, 'ROOT', str(tmp_path))
    first = unify_demo.finetune_options(0, 'best.pth', 'ft',
                                        unify_demo.STEPS['full'])
    assert 'load_from=best.pth' in first
    (tmp_path / 'ft').mkdir()
    (tmp_path / 'ft' / 'last_checkpoint').write_text('ft/iter_100.pth')
    again = unify_demo.finetune_options(0, 'best.pth', 'ft',
                                        unify_demo.STEPS['full'])
    assert 'load_from=None' in again


def test_pseudo_label_step_leaves_done_to_the_tool(unify_demo, monkeypatch):
    """No second definition of "finished": the tool's manifest decides."""
    from mmseg_unify.experiments import unify_demo_steps
    calls = []
    monkeypatch.setattr(unify_demo_steps, 'run', calls.append)
    unify_demo.pseudo_label('c.pth', 'demo_coarse', 'pl', False,
                            dict(scales=[0.5, 1.0], flip=False))
    cmd = calls[0]
    assert cmd[1:3] == [unify_demo_steps.tool('pseudo_label'),
                        unify_demo.TEACHER]
    assert cmd[1].endswith(osp.join('tools', 'pseudo_label.py'))
    assert cmd[cmd.index('--out') + 1] == 'pl'
    assert '--no-priors' in cmd and '--no-flip' in cmd
    assert cmd[cmd.index('--scales') + 1:cmd.index('--scales') + 3] == [
        '0.5', '1']


def fake_result(shift):
    models = {
        'teacher': {f'{s}/mIoU': 60.0 + shift for s in
                    ('demo_urban', 'demo_coarse', 'demo_split')},
        'ours, it. 1': {f'{s}/mIoU': 62.0 + shift for s in
                        ('demo_urban', 'demo_coarse', 'demo_split')},
    }
    quality = dict(miou=0.8 + shift / 100, miou_miss=0.7, accuracy=0.9,
                   ignored_share=0.01, images=200)
    labels = {f'{e}/it1/{k}': quality for e in ('demo_coarse', 'demo_split')
              for k in ('priors', 'no-priors')}
    return dict(models=models, pseudo_labels=labels)


def test_tables(unify_demo):
    results = [fake_result(0), fake_result(2)]
    models = unify_demo.models_table(
        results, [0, 1], list(unify_demo.EVAL_SETS)).splitlines()
    assert models[0].startswith('| model (seeds 0, 1) | demo_urban val')
    assert models[2] == '| teacher | 61.00 ± 1.41 | 61.00 ± 1.41 | ' \
        '61.00 ± 1.41 |'
    assert models[3].startswith('| ours, it. 1 | 63.00 ± 1.41 |')
    quality = unify_demo.quality_table(
        results, dict(scales=[0.5, 1.0], flip=True)).splitlines()
    assert 'flip × scales 0.5, 1' in quality[0]
    assert quality[2] == ('| demo_coarse, it. 1 | 81.00 ± 1.41 | '
                          '81.00 ± 1.41 | 90.00 ± 0.00 / 90.00 ± 0.00 | '
                          '1.00 ± 0.00 % |')
    assert len(quality) == 4
