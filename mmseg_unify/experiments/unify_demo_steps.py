# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The steps of ``tools/unify_demo.py``: configs, options, commands.

Each step is a plain ``tools/train.py`` / ``tools/test.py`` /
``tools/pseudo_label.py`` call (:mod:`mmseg_unify.utils.experiment`). This
module knows the demo's configs and data layout; the tool chains the steps
and reports.
"""
import json
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

from ..evaluation.pseudo_label_quality import pseudo_label_quality
from ..ontology import load_taxonomy
from ..utils.experiment import ROOT, run, schedule_options, test, tool
from ..utils.label_io import write_json_atomic
from ..utils.paths import ontology_file
from ..utils.pseudo_label_manifest import read_manifest
from ..utils.tta_config import PAPER_SCALES

TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
UNIFY = 'configs/unify/'
STUDENTS = {
    True: UNIFY + 'unify-student_fcn_r18-w16-d8_1xb4-2k_'
    'demo-urban-unified-128x128.py',
    False: UNIFY + 'naive-student_fcn_r18-w16-d8_1xb4-2k_'
    'demo-urban-unified-128x128.py',
}
FINETUNES = {
    True: UNIFY + 'unify-student-finetune_fcn_r18-w16-d8_1xb4-500_'
    'demo-urban-128x128.py',
    False: UNIFY + 'naive-student-finetune_fcn_r18-w16-d8_1xb4-500_'
    'demo-urban-128x128.py',
}
VARIANT_NAMES = {True: 'ours (priors)', False: 'Naive Student (no priors)'}
# extra dataset -> (pseudo-labelling config, index in the student's
# ConcatDataset)
EXTRAS = {
    'demo_coarse': (UNIFY + 'datasets/demo_coarse_extra.py', 1),
    'demo_split': (UNIFY + 'datasets/demo_split_extra.py', 2),
}
# per setting, iterations: teacher, student (max), student validation
# interval, early-stopping patience (validations), fine-tune, its validation
# interval; and the pseudo-labelling TTA
STEPS = dict(
    full=dict(teacher=1000, student=2000, student_val=100, patience=5,
              finetune=500, finetune_val=100, scales=PAPER_SCALES,
              flip=True),
    short=dict(teacher=300, student=500, student_val=100, patience=2,
               finetune=150, finetune_val=50, scales=[1.0], flip=True),
    quick=dict(teacher=200, student=200, student_val=50, patience=2,
               finetune=100, finetune_val=50, scales=[1.0], flip=False))
DATA = 'data/demo'
# evaluation set -> tools/test.py --cfg-options; the extras' val splits are
# scored against their hidden fine truth (demo_urban ids, ann_fine_dir)
EVAL_SETS = {
    'demo_urban': [],
    'demo_coarse': [
        f'test_dataloader.dataset.data_root={DATA}/demo_coarse',
        'test_dataloader.dataset.data_prefix.seg_map_path=ann_fine_dir/val'
    ],
    'demo_split': [
        f'test_dataloader.dataset.data_root={DATA}/demo_split',
        'test_dataloader.dataset.data_prefix.seg_map_path=ann_fine_dir/val'
    ],
}


# ---------------------------------------------------------------- training
def student_options(seed: int, labels: Dict[str, str],
                    steps: dict) -> List[str]:
    """Seed, pseudo-label folders and schedule of a student run."""
    options = [f'randomness.seed={seed}', f'custom_hooks.0.patience='
               f'{steps["patience"]}']
    for extra, folder in labels.items():
        index = EXTRAS[extra][1]
        options.append(f'train_dataloader.dataset.datasets.{index}.'
                       f'data_prefix.seg_map_path={folder}')
    return options + schedule_options(
        steps['student'], steps['student_val'])


def finetune_options(seed: int, student_ckpt: str, work_dir: str,
                     steps: dict) -> List[str]:
    """Seed, start checkpoint and schedule of a fine-tuning run.

    mmengine resumes from ``load_from`` when it is set, so an interrupted
    fine-tuning run (one with a ``last_checkpoint``) clears it to resume
    from its own latest checkpoint.
    """
    started = osp.isfile(osp.join(ROOT, work_dir, 'last_checkpoint'))
    load = 'None' if started else student_ckpt
    return [f'randomness.seed={seed}', f'load_from={load}'] + schedule_options(
        steps['finetune'], steps['finetune_val'])


# ----------------------------------------------------------- pseudo-labels
def pseudo_label(checkpoint: str, extra: str, out: str, priors: bool,
                 tta: dict, region: Sequence[str] = (),
                 teacher: str = TEACHER, label_input: str = 'zeros') -> None:
    """Label one extra dataset with ``tools/pseudo_label.py``.

    The tool itself decides what is finished (its manifest's identity:
    checkpoint content, teacher config, map, TTA, dataset): a complete
    folder of the same run costs only the start-up, a partial one resumes.

    Args:
        checkpoint (str): Teacher checkpoint.
        extra (str): A key of :data:`EXTRAS`.
        out (str): Label folder (logs go to ``out + '_work'``).
        priors (bool): With the ontology constraint.
        tta (dict): ``scales`` and ``flip``.
        region (Sequence[str]): Region-pooling flags (with priors only).
        teacher (str): Teacher config. Default: :data:`TEACHER`.
        label_input (str): ``--label-input`` of a LAD teacher.
    """
    cmd = [
        sys.executable, tool('pseudo_label'), teacher, checkpoint,
        '--extra', EXTRAS[extra][0], '--out', out, '--work-dir',
        out + '_work'
    ]
    if label_input != 'zeros':
        cmd += ['--label-input', label_input]
    if not priors:
        cmd.append('--no-priors')
    cmd += ['--scales'] + [f'{s:g}' for s in tta['scales']]
    if not tta['flip']:
        cmd.append('--no-flip')
    run(cmd + (list(region) if priors else []))


def quality(out: str, extra: str) -> dict:
    """mIoU etc. of a pseudo-label folder against the extra's fine truth."""
    names = list(
        load_taxonomy(ontology_file('taxonomies/demo_urban.yaml')).names)
    result = pseudo_label_quality(
        osp.join(ROOT, out),
        osp.join(ROOT, DATA, extra, 'ann_fine_dir', 'train'),
        num_classes=len(names),
        class_names=names)
    return {k: result[k] for k in ('miou', 'miou_miss', 'accuracy',
                                   'ignored_share', 'images')}


# ---------------------------------------------------------------- testing
def labelled(out: str) -> bool:
    """Whether a pseudo-label folder is complete (the tool then only
    checks it)."""
    manifest = read_manifest(osp.join(ROOT, out))
    return bool(manifest) and manifest.get('status') == 'complete'


def setting_tta(setting: str, scales: Optional[Sequence[float]] = None,
                no_flip: bool = False) -> dict:
    """The pseudo-labelling TTA (``scales``, ``flip``) of a setting of
    :data:`STEPS`, optionally with other scales or without flips."""
    steps = STEPS[setting]
    return dict(scales=list(scales or steps['scales']),
                flip=steps['flip'] and not no_flip)


def cached_test(checkpoint: str, run_dir: str, name: str) -> Optional[dict]:
    """The cached :func:`evaluate` result of one set, if it is of
    ``checkpoint``."""
    cache = osp.join(ROOT, run_dir, f'test_{name}', 'result.json')
    if not osp.isfile(cache):
        return None
    with open(cache) as f:
        result = json.load(f)
    return result if result.get('checkpoint') == checkpoint else None


def tested(checkpoint: str, run_dir: str) -> bool:
    """Whether :func:`evaluate` has every set of ``checkpoint`` cached."""
    return all(cached_test(checkpoint, run_dir, name) for name in EVAL_SETS)


def evaluate(checkpoint: str, run_dir: str) -> Dict[str, float]:
    """mIoU of a checkpoint on every evaluation set (cached per set).

    Returns:
        dict: ``'<set>/mIoU'`` -> value, for every key of ``EVAL_SETS``.
    """
    metrics = {}
    for name, options in EVAL_SETS.items():
        result = cached_test(checkpoint, run_dir, name)
        if result is None:
            test_dir = osp.join(run_dir, f'test_{name}')
            result = dict(
                checkpoint=checkpoint,
                metrics=test(TEACHER, checkpoint, test_dir, options))
            write_json_atomic(osp.join(ROOT, test_dir, 'result.json'),
                              result)
        metrics[f'{name}/mIoU'] = result['metrics']['mIoU']
    return metrics
