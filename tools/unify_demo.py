# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label-space unification on the demo data, as one command.

    python tools/unify_demo.py [--quick] [--seeds 0 1 2] [--iterations 2]
        [--scales 0.75 1 1.25] [--no-flip] [--teacher-ckpt CKPT]
        [--region-weight W [--region-rule RULE] [--region-keep CLASS ...]]
        [--work-dir work_dirs/unify_demo]

Per seed, every step is a plain command a user could type (each is printed
before it runs):

1. the teacher: ``configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128``
   trained on demo_urban (``tools/train.py``; ``--teacher-ckpt`` reuses one);
2. pseudo-labels of demo_coarse and demo_split train, with the ontology
   priors and without them (Naive Student), by ``tools/pseudo_label.py``;
3. their quality against the extras' hidden fine ground truth;
4. the unified student and the Naive Student on demo_urban train plus the
   pseudo-labelled extras, with early stopping on demo_urban val mIoU;
5. both fine-tuned on demo_urban alone with 0.1x the learning rate;
6. every model tested (``tools/test.py``) on demo_urban val and on the
   extras' val splits against their hidden fine ground truth (the demo's
   stand-in for the paper's robustness set).

``--iterations 2`` lets each fine-tuned student label the extras again (same
priors setting) and trains and fine-tunes a second student (paper §III).
Finished steps are skipped on a restart: trainings that completed (also by
early stopping), pseudo-label folders whose manifest is complete for the
same checkpoint and TTA, tests of the same checkpoint. The tables are
printed and saved to ``WORK_DIR/results.md`` and ``results.json``.

``--region-weight`` (with ``--region-rule``, ``--region-keep``) passes region
pooling to the pseudo-labelling with priors (``docs/en/region_pooling.md``);
its label folders and students get their own names, so one work dir holds
both and the Naive Student and the teacher are reused.
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

from mmseg_unify.evaluation.pseudo_label_quality import pseudo_label_quality
from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.experiment import (ROOT, best_checkpoint, config_name,
                                          run, schedule_options, summary,
                                          test, tool, train, write_results)
from mmseg_unify.utils.paths import ontology_file
from mmseg_unify.utils.tta_config import PAPER_SCALES, describe_tta

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
# iterations: teacher, student (max), student validation interval,
# early-stopping patience (validations), fine-tune, its validation interval
FULL = dict(teacher=1000, student=2000, student_val=100, patience=5,
            finetune=500, finetune_val=100)
QUICK = dict(teacher=200, student=200, student_val=50, patience=2,
             finetune=100, finetune_val=50)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/unify_demo')
    parser.add_argument(
        '--quick', action='store_true',
        help='short schedules and single-scale pseudo-labels: a smoke run')
    parser.add_argument(
        '--seeds', type=int, nargs='+', default=[0],
        help='seeds; several give mean ± std per row')
    parser.add_argument(
        '--iterations', type=int, choices=[1, 2], default=1,
        help='2: the fine-tuned students label the extras again and a '
        'second student is trained (paper: no further gain)')
    parser.add_argument(
        '--scales', type=float, nargs='+',
        help='TTA scales of the pseudo-labelling (default: the paper\'s '
        '0.5 .. 2.0; --quick: 1.0)')
    parser.add_argument(
        '--no-flip', action='store_true',
        help='no flipped TTA copies (--quick implies it)')
    parser.add_argument(
        '--teacher-ckpt',
        help='use this teacher checkpoint (file or work dir) instead of '
        'training one (same for every seed)')
    parser.add_argument(
        '--region-weight', type=float, default=0.0,
        help='region pooling of the pseudo-labels with priors (see '
        'tools/pseudo_label.py); 0: none')
    parser.add_argument('--region-rule', default='ambiguous-no-void')
    parser.add_argument('--region-keep', nargs='+', default=[],
                        metavar='CLASS')
    return parser.parse_args(argv)


def region_flags(args) -> List[str]:
    """``tools/pseudo_label.py`` flags of the region pooling (or none)."""
    if not args.region_weight:
        return []
    flags = ['--region-weight', f'{args.region_weight:g}', '--region-rule',
             args.region_rule]
    return flags + (['--region-keep'] + args.region_keep
                    if args.region_keep else [])


def region_tag(args) -> str:
    """Folder/run name suffix of the region pooling ('' without it)."""
    if not args.region_weight:
        return ''
    keep = '-keep-' + '+'.join(args.region_keep) if args.region_keep else ''
    return f'_region-w{args.region_weight:g}-{args.region_rule}{keep}'


def tta_settings(args) -> dict:
    """The pseudo-labelling TTA: ``scales`` and ``flip``."""
    scales = args.scales or ([1.0] if args.quick else PAPER_SCALES)
    return dict(scales=list(scales), flip=not (args.no_flip or args.quick))


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
                 tta: dict, region: Sequence[str] = ()) -> None:
    """Label one extra dataset with ``tools/pseudo_label.py``.

    The tool itself decides what is finished (its manifest's identity:
    checkpoint content, teacher config, map, TTA, dataset): a complete
    folder of the same run costs only the start-up, a partial one resumes.
    """
    cmd = [
        sys.executable, tool('pseudo_label'), TEACHER, checkpoint,
        '--extra', EXTRAS[extra][0], '--out', out, '--work-dir',
        out + '_work'
    ]
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
def evaluate(checkpoint: str, run_dir: str) -> Dict[str, float]:
    """mIoU of a checkpoint on every evaluation set (cached per set).

    Returns:
        dict: ``'<set>/mIoU'`` -> value, for every key of ``EVAL_SETS``.
    """
    metrics = {}
    for name, options in EVAL_SETS.items():
        test_dir = osp.join(run_dir, f'test_{name}')
        cache = osp.join(ROOT, test_dir, 'result.json')
        result = None
        if osp.isfile(cache):
            with open(cache) as f:
                result = json.load(f)
        if result is None or result['checkpoint'] != checkpoint:
            result = dict(
                checkpoint=checkpoint,
                metrics=test(TEACHER, checkpoint, test_dir, options))
            with open(cache, 'w') as f:
                json.dump(result, f, indent=2)
        metrics[f'{name}/mIoU'] = result['metrics']['mIoU']
    return metrics


# --------------------------------------------------------------- pipeline
def teacher_checkpoint(seed: int, root: str, steps: dict, args) -> str:
    """Train (or reuse) the demo teacher of one seed."""
    if args.teacher_ckpt:
        return best_checkpoint(args.teacher_ckpt)
    work_dir = osp.join(root, config_name(TEACHER))
    options = [f'randomness.seed={seed}']
    if steps['teacher'] != 1000:
        options += schedule_options(steps['teacher'])
    return train(TEACHER, work_dir, options, steps['teacher'])


def run_seed(seed: int, args) -> dict:
    """Every step for one seed.

    Returns:
        dict: ``models``: row name -> metrics; ``pseudo_labels``: (extra,
        iteration, priors) -> quality, keyed ``'<extra>/it<i>/<priors>'``.
    """
    steps = QUICK if args.quick else FULL
    tta = tta_settings(args)
    root = osp.join(args.work_dir, f'seed{seed}')
    teacher = teacher_checkpoint(seed, root, steps, args)
    models = {'teacher: FCN-R18-w16 on demo_urban': evaluate(
        teacher, osp.join(root, 'teacher_eval'))}
    labels_quality = {}
    teachers = {True: teacher, False: teacher}
    for it in range(1, args.iterations + 1):
        for priors in (False, True):
            kind = 'priors' if priors else 'no-priors'
            tag = region_tag(args) if priors else ''
            labels = {}
            for extra in EXTRAS:
                out = osp.join(root, 'pseudo_labels', f'it{it}_{kind}{tag}',
                               extra)
                pseudo_label(teachers[priors], extra, out, priors, tta,
                             region_flags(args))
                labels[extra] = out
                labels_quality[f'{extra}/it{it}/{kind}'] = quality(
                    out, extra)
            student_dir = osp.join(
                root, f'{config_name(STUDENTS[priors])}_it{it}{tag}')
            student = train(STUDENTS[priors], student_dir,
                            student_options(seed, labels, steps),
                            steps['student'])
            ft_dir = osp.join(
                root, f'{config_name(FINETUNES[priors])}_it{it}{tag}')
            finetuned = train(
                FINETUNES[priors], ft_dir,
                finetune_options(seed, student, ft_dir, steps),
                steps['finetune'])
            name = f'{VARIANT_NAMES[priors]}{tag}, it. {it}'
            models[name] = evaluate(student, student_dir)
            models[name + ' + fine-tune'] = evaluate(finetuned, ft_dir)
            teachers[priors] = finetuned
    return dict(models=models, pseudo_labels=labels_quality)


# ----------------------------------------------------------------- tables
def models_table(results: List[dict], seeds: Sequence[int]) -> str:
    """Markdown table: one row per model, mIoU per evaluation set.

    Args:
        results (list[dict]): :func:`run_seed` results, one per seed.
        seeds (Sequence[int]): The seeds (for the header).
    """
    sets = list(EVAL_SETS)
    head = ['demo_urban val'] + [f'{s} val (fine GT)' for s in sets[1:]]
    lines = [
        f'| model (seeds {", ".join(map(str, seeds))}) | ' +
        ' | '.join(f'{h} mIoU' for h in head) + ' |',
        '| --- |' + ' ---: |' * len(sets)
    ]
    for name in results[0]['models']:
        cells = [
            summary([r['models'][name][f'{s}/mIoU'] for r in results])
            for s in sets
        ]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def quality_table(results: List[dict], tta: dict) -> str:
    """Markdown table of the pseudo-label quality (train splits against the
    hidden fine truth), with and without priors, per extra and iteration.
    """
    keys = sorted({k.rsplit('/', 1)[0]
                   for k in results[0]['pseudo_labels']})
    lines = [
        f'| extra (train split), TTA: {describe_tta(tta)} | mIoU with '
        'priors | mIoU without priors (Naive Student) | pixel acc. with / '
        'without | ignored pixels with priors |',
        '| --- | ---: | ---: | ---: | ---: |'
    ]

    def pct(key: str, field: str) -> str:
        return summary([100 * r['pseudo_labels'][key][field]
                        for r in results])

    for key in keys:
        extra, it = key.split('/')
        with_, without = f'{key}/priors', f'{key}/no-priors'
        lines.append(
            f'| {extra}, {it.replace("it", "it. ")} | '
            f'{pct(with_, "miou")} | {pct(without, "miou")} | '
            f'{pct(with_, "accuracy")} / {pct(without, "accuracy")} | '
            f'{pct(with_, "ignored_share")} % |')
    return '\n'.join(lines)


def save(results: List[dict], args, tables: str,
         work_dir: Optional[str] = None) -> None:
    """Write ``results.md`` and ``results.json`` into the work dir."""
    write_results(
        work_dir or args.work_dir, tables,
        dict(seeds=args.seeds, quick=args.quick, iterations=args.iterations,
             tta=tta_settings(args), results=results))


def main(argv=None):
    args = parse_args(argv)
    results = [run_seed(seed, args) for seed in args.seeds]
    tables = ('Models (mIoU %, single scale):\n\n' +
              models_table(results, args.seeds) +
              '\n\nPseudo-labels against the hidden fine truth (mIoU % over '
              'the labelled pixels):\n\n' +
              quality_table(results, tta_settings(args)))
    save(results, args, tables)
    print('\nLabel-space unification on the demo data\n\n' + tables)


if __name__ == '__main__':
    main()
