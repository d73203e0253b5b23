# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Mask2Former configs of the three settings (``configs/unify/*mask2former*``):
what they read and train is checked always; building their models needs
mmdet 3.x and is skipped without it."""
import functools
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.hub import get_config

import mmseg_unify  # noqa: F401
from mmseg_unify.ontology import Ontology, resolve_ontology_file
from helpers import ROOT, load_tool

UNIFY = osp.join(ROOT, 'configs', 'unify')
CONFIGS = sorted(
    osp.basename(p) for p in glob.glob(osp.join(UNIFY, '*mask2former*.py')))
SETTINGS = {
    # setting -> (source taxonomy, number of extras, first dataset type)
    'cityscapes': ('cityscapes', 11, 'CityscapesDataset'),
    'mapillary63': ('mapillary', 11, 'MapillaryDataset_v1'),
    'goose-offroad': ('offroad', 5, 'TaxonomySegDataset'),
}
EMBED_DIMS = {'swin-b': 128, 'swin-l': 192}
MMSEG = ('mmseg::mask2former/mask2former_{}-in22k-384x384-pre_8xb2-90k_'
         'cityscapes-512x1024.py')


def name(role, backbone, setting):
    """The file name of a config of ``role`` (teacher, student, finetune,
    wilddash)."""
    return {
        'teacher': f'unify-teacher_mask2former_{backbone}_8xb2-90k_'
        f'{setting}-512x1024.py',
        'student': f'unify-student_mask2former_{backbone}_8xb2-50e_'
        f'{setting}-unified-512x1024.py',
        'finetune': f'unify-student-finetune_mask2former_{backbone}_8xb2-20k_'
        f'{setting}-512x1024.py',
        'wilddash': f'wilddash-test_mask2former_{backbone}_{setting}-'
        '512x1024.py',
    }[role]


def setting_of(config):
    """The setting a config's file name names."""
    found = [s for s in SETTINGS if f'_{s}-' in config]
    assert len(found) == 1, config
    return found[0]


@functools.lru_cache(maxsize=None)
def load(config):
    """A config of configs/unify/, read once (callers must not change it)."""
    return Config.fromfile(osp.join(UNIFY, config))


def test_every_role_backbone_and_setting_has_its_config():
    expected = {
        name(role, backbone, setting)
        for role in ('teacher', 'student', 'finetune')
        for backbone in EMBED_DIMS for setting in SETTINGS
    } | {
        name('wilddash', backbone, setting)
        for backbone in EMBED_DIMS for setting in ('cityscapes', 'mapillary63')
    }
    assert set(CONFIGS) == expected


@pytest.mark.parametrize('config', CONFIGS)
def test_classes_and_backbone_follow_the_taxonomy(config):
    cfg = load(config)
    assert cfg.default_scope == 'mmseg'
    assert 'mmseg_unify' in cfg.custom_imports['imports']
    head = cfg.model.decode_head
    assert head.type == 'Mask2FormerHead'
    taxonomy = SETTINGS[setting_of(config)][0]
    classes = Ontology.unconstrained(taxonomy).num_classes
    assert head.num_classes == classes
    # one weight per class plus Mask2Former's "no object" class
    assert head.loss_cls.class_weight == [1.0] * classes + [0.1]
    backbone = 'swin-l' if '_swin-l_' in config else 'swin-b'
    assert cfg.model.backbone.embed_dims == EMBED_DIMS[backbone]
    assert head.in_channels == [EMBED_DIMS[backbone] * 2**i for i in range(4)]


def unscoped(node):
    """``node`` as plain dicts and lists, without the ``_scope_`` keys that
    mmengine adds to what comes from an ``mmseg::`` config."""
    if isinstance(node, dict):
        return {k: unscoped(v) for k, v in node.items() if k != '_scope_'}
    if isinstance(node, (list, tuple)):
        return [unscoped(v) for v in node]
    return node


@pytest.mark.parametrize('backbone', EMBED_DIMS)
def test_cityscapes_teachers_are_mmseg_configs_unchanged(backbone):
    """MMSeg's released Cityscapes checkpoints can serve as teachers."""
    ours = load(name('teacher', backbone, 'cityscapes'))
    theirs = get_config(MMSEG.format(backbone))
    for key in ('model', 'optim_wrapper', 'train_dataloader'):
        assert unscoped(ours[key]) == unscoped(theirs[key]), key


@pytest.mark.parametrize('setting', SETTINGS)
@pytest.mark.parametrize('backbone', EMBED_DIMS)
def test_student_reads_source_and_pseudo_labelled_extras(backbone, setting):
    taxonomy, num_extras, source_type = SETTINGS[setting]
    teacher = load(name('teacher', backbone, setting))
    student = load(name('student', backbone, setting))
    datasets = student.train_dataloader.dataset.datasets
    assert len(datasets) == 1 + num_extras
    assert datasets[0] == teacher.train_dataloader.dataset
    assert datasets[0].type == source_type
    root = f'work_dirs/pseudo_labels/mask2former/{taxonomy}'
    for extra, dataset in zip(student.extras, datasets[1:]):
        assert dataset.data_prefix.seg_map_path == f'{root}/{extra}'
        assert dataset.pipeline == teacher.train_pipeline
        assert osp.isfile(resolve_ontology_file(f'{extra}_to_{taxonomy}'))
    assert student.model == teacher.model
    assert student.val_dataloader == teacher.val_dataloader
    assert student.train_cfg.type == 'EpochBasedTrainLoop'
    [stop] = [h for h in student.custom_hooks
              if h.type == 'EarlyStoppingHook']
    assert (stop.monitor, stop.patience) == ('mIoU', 15)
    assert student.default_hooks.checkpoint.save_best == 'mIoU'


@pytest.mark.parametrize('setting', SETTINGS)
@pytest.mark.parametrize('backbone', EMBED_DIMS)
def test_finetune_starts_from_its_student_with_a_tenth_of_the_lr(
        backbone, setting):
    student_name = name('student', backbone, setting)
    student = load(student_name)
    finetune = load(name('finetune', backbone, setting))
    teacher = load(name('teacher', backbone, setting))
    assert finetune.load_from == osp.join('work_dirs', student_name[:-3])
    assert finetune.optim_wrapper.optimizer.lr == pytest.approx(
        0.1 * student.optim_wrapper.optimizer.lr)
    assert finetune.train_dataloader == teacher.train_dataloader  # source
    assert finetune.model.backbone.init_cfg is None  # weights: load_from


@pytest.mark.parametrize('config', [c for c in CONFIGS if '_swin-l_' in c])
def test_swin_l_differs_from_swin_b_only_in_the_backbone(config):
    large, base = load(config).to_dict(), load(
        config.replace('_swin-l_', '_swin-b_')).to_dict()
    for cfg in (large, base):
        for key in ('pretrained', 'load_from'):
            cfg.pop(key, None)
        cfg['model']['backbone'].pop('init_cfg')
        for key in ('embed_dims', 'num_heads'):
            cfg['model']['backbone'].pop(key)
        cfg['model']['decode_head'].pop('in_channels')
    assert large == base


def pseudo_label_config(*options):
    """``tools/pseudo_label.py``'s composed config for the Cityscapes Swin-B
    teacher and the A2D2 extra."""
    tool = load_tool('pseudo_label')
    args = tool.parse_args([
        osp.join(UNIFY, name('teacher', 'swin-b', 'cityscapes')), 'ckpt.pth',
        '--extra', osp.join(UNIFY, 'datasets', 'a2d2_extra.py'),
        '--ontology', 'a2d2_to_cityscapes', '--out', 'work_dirs/x',
        *options
    ])
    return tool.build_config(args)


def test_pseudo_label_tool_lets_the_scores_rule_be_chosen():
    assert 'scores' not in pseudo_label_config().model  # chosen at build
    cfg = pseudo_label_config('--cfg-options', 'model.scores=logits')
    assert cfg.model.scores == 'logits'


# ------------------------------------------------- building (needs mmdet)
def model_key(config):
    """Backbone and setting: the configs sharing them have one model (the
    backbone's ``init_cfg`` aside, which only ``init_weights`` reads)."""
    return ('_swin-l_' in config, setting_of(config))


def model_dict(config):
    """A config's model without the backbone's ``init_cfg``."""
    model = load(config).model.to_dict()
    model['backbone'].pop('init_cfg', None)
    return model


@pytest.fixture(scope='module')
def built():
    """Build each distinct model once, on demand."""
    pytest.importorskip('mmdet', reason='Mask2Former needs mmdet 3.x '
                        '(tools/install.sh --with-mask2former)')
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cache = {}

    def build(config):
        key = model_key(config)
        if key not in cache:
            cache.clear()  # one large model in memory at a time
            cache[key] = (model_dict(config),
                          MODELS.build(load(config).model))
        model, built_model = cache[key]
        assert model_dict(config) == model, config  # the same model indeed
        return built_model

    return build


@pytest.mark.parametrize('config', sorted(CONFIGS, key=model_key))
def test_config_builds_with_mmdet(config, built):
    from mmseg.models.decode_heads import Mask2FormerHead
    from mmseg_unify.models.streaming_tta import StreamingSegTTAModel
    model = built(config)
    classes = load(config).model.decode_head.num_classes
    assert isinstance(model.decode_head, Mask2FormerHead)
    assert model.decode_head.num_classes == model.out_channels == classes
    assert model.decode_head.cls_embed.out_features == classes + 1
    # pseudo-labelling averages its scores normalised, not softmaxed
    assert StreamingSegTTAModel(model).scores == 'scores'


def test_pseudo_label_tool_wraps_mask2former_with_the_scores_rule(built):
    """``built``: skipped without mmdet, modules registered."""
    from mmseg.registry import MODELS
    cfg = pseudo_label_config()
    cfg.model.module.backbone.init_cfg = None
    tta = MODELS.build(cfg.model)
    assert type(tta).__name__ == 'OntologyConstrainedTTAModel'
    assert tta.scores == 'scores'
    assert tta.settings()['scores'] == 'scores'  # in the label manifest


if __name__ == '__main__':  # pragma: no cover
    pytest.main([__file__])
