# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The two papers joined on the demo data: a LAD teacher as pseudo-labeller.

    python tools/lad_join_demo.py [--full | --quick] [--seeds 0 1 2]
        [--demo-work-dir DIR] [--no-student] [--work-dir DIR]

Three teachers label the demo extras (their train splits), each with and
without the ontology priors, through ``tools/pseudo_label.py``:

* the RGB teacher: ``tools/demo.py``'s baseline FCN-R18-w16;
* the LAD teacher (``tools/demo.py``'s, the same network with the label
  channel, same schedule and seed) with a zero label channel;
* the same LAD teacher reading the extra dataset's **own** labels (raw ids
  of its taxonomy, class-wise noised per image: ``--label-input extra``).

The labels are scored against the extras' hidden fine truth. Then the
unified student (with priors) is trained and fine-tuned on the labels of
the best teacher, next to the one of the RGB teacher, and both are tested
as in ``tools/unify_demo.py``. The teachers come from ``tools/demo.py``'s
work dir of the same setting (run it first); the label-usage verdict that
``tools/demo.py`` records for the LAD teacher is printed beside the table.
Tables: ``WORK_DIR/results.{md,json}``, chart ``results.png``.
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

from mmseg_unify.experiments.unify_demo_steps import (EXTRAS, FINETUNES,
                                                      STEPS, STUDENTS,
                                                      TEACHER, evaluate,
                                                      finetune_options,
                                                      pseudo_label, quality,
                                                      setting_tta,
                                                      student_options)
from mmseg_unify.utils.experiment import (ROOT, add_pipeline_args,
                                          best_checkpoint, config_name,
                                          finished, resolve_pipeline_args,
                                          seed_work_dir, setting_work_dir,
                                          summary, train, write_results)
from mmseg_unify.utils.progress import Progress
from mmseg_unify.utils.tta_config import describe_tta
from mmseg_unify.visualization.results_chart import (save_results_figure,
                                                     seeds_text)

LAD_TEACHER = ('configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_'
               'demo-urban-128x128.py')
# row name -> (teacher config, --label-input, folder name)
TEACHERS = {
    'RGB teacher': (TEACHER, 'zeros', 'rgb'),
    'LAD teacher, zero label channel': (LAD_TEACHER, 'zeros', 'lad-zeros'),
    'LAD teacher, extra labels as input': (LAD_TEACHER, 'extra',
                                           'lad-extra'),
}
KINDS = {True: 'with priors', False: 'without priors'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_pipeline_args(
        parser, 'lad_join_demo',
        full_help='schedules and TTA of tools/unify_demo.py --full, teachers '
        'of tools/demo.py --full',
        quick_help='the --quick settings')
    parser.add_argument('--demo-work-dir',
                        help="tools/demo.py's work dir with the teachers "
                        '(default: that of the same setting)')
    parser.add_argument('--no-student', action='store_true',
                        help='compare the labels only')
    args = resolve_pipeline_args(parser.parse_args(argv), 'lad_join_demo')
    args.demo_work_dir = args.demo_work_dir or setting_work_dir(
        'demo', args.setting)
    return args


def teacher_dir(config: str, seed: int, args) -> str:
    """``tools/demo.py``'s run of ``config`` for ``seed``."""
    work_dir = seed_work_dir(args.demo_work_dir, seed, config)
    if not finished(work_dir):
        flag = '' if args.setting == 'short' else f' --{args.setting}'
        raise FileNotFoundError(
            f'{work_dir}: no finished tools/demo.py run of {config}; run '
            f'python tools/demo.py{flag} --seeds {seed} first (or give '
            '--demo-work-dir)')
    return work_dir


def label_with(name: str, priors: bool, seed: int, args,
               progress: Progress) -> Dict[str, dict]:
    """Pseudo-labels of every extra by one teacher; their quality."""
    config, label_input, slug = TEACHERS[name]
    checkpoint = best_checkpoint(teacher_dir(config, seed, args))
    tta = setting_tta(args.setting)
    labels = {}
    for extra in EXTRAS:
        progress.announce(f'seed {seed}: {name}, {KINDS[priors]}: {extra}')
        out = osp.join(args.work_dir, f'seed{seed}', 'pseudo_labels',
                       f'{slug}_{"priors" if priors else "no-priors"}',
                       extra)
        pseudo_label(checkpoint, extra, out, priors, tta, teacher=config,
                     label_input=label_input)
        labels[extra] = dict(folder=out, **quality(out, extra))
        progress.finish()
    return labels


def student(name: str, labels: Dict[str, dict], seed: int, args,
            progress: Progress) -> Dict[str, float]:
    """Unified student (priors) on one teacher's labels, fine-tuned and
    tested; returns the fine-tuned model's metrics."""
    steps = STEPS[args.setting]
    root = osp.join(args.work_dir, f'seed{seed}', TEACHERS[name][2])
    folders = {extra: labels[extra]['folder'] for extra in EXTRAS}
    progress.announce(f'seed {seed}: student on the labels of the {name}')
    student_dir = osp.join(root, config_name(STUDENTS[True]))
    ckpt = train(STUDENTS[True], student_dir,
                 student_options(seed, folders, steps), steps['student'])
    ft_dir = osp.join(root, config_name(FINETUNES[True]))
    ft = train(FINETUNES[True], ft_dir,
               finetune_options(seed, ckpt, ft_dir, steps),
               steps['finetune'])
    metrics = evaluate(ft, ft_dir)
    progress.finish()
    return metrics


def run_seed(seed: int, args, progress: Progress) -> dict:
    """Labels of every teacher, then the students of the best and of the
    RGB teacher."""
    labels = {name: {KINDS[p]: label_with(name, p, seed, args, progress)
                     for p in (True, False)} for name in TEACHERS}
    result = dict(labels=labels, students={})
    if not args.no_student:
        best = max(TEACHERS,
                   key=lambda n: mean_miou(labels[n][KINDS[True]]))
        for name in dict.fromkeys(['RGB teacher', best]):
            result['students'][name] = student(
                name, labels[name][KINDS[True]], seed, args, progress)
        if best == 'RGB teacher':
            progress.announce(f'seed {seed}: the RGB teacher labels best: '
                              'no second student')
            progress.finish(executed=False)
    return result


def mean_miou(labels: Dict[str, dict]) -> float:
    """Mean pseudo-label mIoU (%) over the extras."""
    return 100 * sum(labels[e]['miou'] for e in EXTRAS) / len(EXTRAS)


def labels_table(results: List[dict], tta: dict) -> str:
    """Pseudo-label mIoU per teacher, extra and priors (mean ± std)."""
    cols = [(e, k) for e in EXTRAS for k in KINDS.values()]
    lines = ['| teacher (labels of the train splits, TTA ' +
             describe_tta(tta) + ') | ' +
             ' | '.join(f'{e} {k}' for e, k in cols) + ' |',
             '| --- |' + ' ---: |' * len(cols)]
    for name in TEACHERS:
        cells = [summary([100 * r['labels'][name][k][e]['miou']
                          for r in results]) for e, k in cols]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def students_table(results: List[dict]) -> str:
    """Fine-tuned unified students per teacher (mean ± std)."""
    names = list(dict.fromkeys(n for r in results for n in r['students']))
    if not names:
        return ''
    sets = list(next(iter(results[0]['students'].values())))
    lines = ['| unified student (priors) + fine-tune, labels of | ' +
             ' | '.join(sets) + ' |', '| --- |' + ' ---: |' * len(sets)]
    for name in names:  # the best teacher may differ between seeds
        runs = [r['students'][name] for r in results if name in r['students']]
        seeds = '' if len(runs) == len(results) else f' ({len(runs)} seeds)'
        lines.append(f'| {name}{seeds} | ' + ' | '.join(
            summary([m[s] for m in runs]) for s in sets) + ' |')
    return '\n'.join(lines)


def label_usage_lines(args) -> str:
    """The LAD teachers' label-usage verdicts that tools/demo.py saved."""
    lines = []
    for seed in args.seeds:
        path = osp.join(ROOT, seed_work_dir(args.demo_work_dir, seed,
                                            LAD_TEACHER),
                        'label_usage', 'label_usage.json')
        if osp.isfile(path):
            with open(path) as f:
                lines.append(f'LAD teacher, seed {seed}: '
                             f'{json.load(f)["summary"]}')
    return '\n'.join(lines)


def panels(results: List[dict]) -> List[dict]:
    series = {f'{e}, {k}': {n: [100 * r['labels'][n][k][e]['miou']
                                for r in results] for n in TEACHERS}
              for e in EXTRAS for k in KINDS.values()}
    return [dict(title='Pseudo-labels against the hidden fine truth',
                 xlabel='mIoU (%)', series=series)]


def main(argv=None):
    args = parse_args(argv)
    per_seed = len(TEACHERS) * 2 * len(EXTRAS)
    per_seed += 0 if args.no_student else 2
    progress = Progress(per_seed * len(args.seeds))
    results = [run_seed(seed, args, progress) for seed in args.seeds]
    tta = setting_tta(args.setting)
    text = '\n\n'.join(t for t in (
        labels_table(results, tta), students_table(results),
        label_usage_lines(args)) if t)
    folder = write_results(args.work_dir, text, dict(
        seeds=args.seeds, setting=args.setting, results=results))
    figure = save_results_figure(
        panels(results), f'LAD teacher as pseudo-labeller ({args.setting} '
        f'setting), {seeds_text(args.seeds)}',
        osp.join(folder, 'results.png'))
    print(f'\nLAD teacher as pseudo-labeller ({figure}):\n\n' + text)


if __name__ == '__main__':
    main()
