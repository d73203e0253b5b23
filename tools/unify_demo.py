# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label-space unification on the demo data, as one command.

    python tools/unify_demo.py [--full | --quick] [--seeds 0 1 2]
        [--iterations 2] [--scales 0.75 1 1.25] [--no-flip]
        [--teacher-ckpt CKPT] [--region-weight W [--region-rule RULE]
        [--region-keep CLASS ...]] [--work-dir DIR]

Settings (schedules in ``STEPS``): the default is the short main job of
``tools/run_demo.sh`` (300-iteration teacher, students up to 500 iterations,
150-iteration fine-tuning, labels with flip at scale 1); ``--full`` is the
setting of ``docs/en/results.md`` (1000 / 2000 / 500 iterations, the
paper's flip x 7 scales); ``--quick`` a smoke run. Each setting has its own
default work dir (``work_dirs/unify_demo``, ``..._full``, ``..._quick``).

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
same checkpoint and TTA, tests of the same checkpoint. Every step prints
``[i/n] name | elapsed | ETA``. The tables are printed and saved to
``WORK_DIR/results.md`` and ``results.json``, as bar charts to
``results.png``.

``--region-weight`` (with ``--region-rule``, ``--region-keep``) passes region
pooling to the pseudo-labelling with priors (``docs/en/region_pooling.md``);
its label folders and students get their own names, so one work dir holds
both and the Naive Student and the teacher are reused.
"""
import argparse
import os.path as osp
from typing import Dict, List, Optional

from mmseg_unify.experiments.unify_demo_steps import (EVAL_SETS, EXTRAS,
                                                      FINETUNES, STEPS,
                                                      STUDENTS, TEACHER,
                                                      VARIANT_NAMES,
                                                      evaluate,
                                                      finetune_options,
                                                      labelled, pseudo_label,
                                                      quality, setting_tta,
                                                      student_options, tested)
from mmseg_unify.utils.experiment import (add_pipeline_args,
                                          best_checkpoint, config_name,
                                          finished, resolve_pipeline_args,
                                          schedule_options, train,
                                          write_results)
from mmseg_unify.utils.progress import Progress
from mmseg_unify.utils.unify_report import (figure_panels, models_table,
                                            quality_table)
from mmseg_unify.visualization.results_chart import (save_results_figure,
                                                     seeds_text)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_pipeline_args(
        parser, 'unify_demo',
        full_help='the schedules and TTA of the results page',
        quick_help='short schedules and single-scale pseudo-labels: a smoke '
        'run')
    parser.add_argument(
        '--iterations', type=int, choices=[1, 2], default=1,
        help='2: the fine-tuned students label the extras again and a '
        'second student is trained (paper: no further gain)')
    parser.add_argument(
        '--scales', type=float, nargs='+',
        help='TTA scales of the pseudo-labelling (default: the setting\'s: '
        '1.0; --full: the paper\'s 0.5 .. 2.0)')
    parser.add_argument(
        '--no-flip', action='store_true',
        help='no flipped TTA copies (--quick implies it)')
    parser.add_argument(
        '--teacher-ckpt',
        help='use this teacher checkpoint (file or work dir) instead of '
        'training one; {seed} in it is replaced by each seed')
    parser.add_argument(
        '--region-weight', type=float, default=0.0,
        help='region pooling of the pseudo-labels with priors (see '
        'tools/pseudo_label.py); 0: none')
    parser.add_argument('--region-rule', default='ambiguous-no-void')
    parser.add_argument('--region-keep', nargs='+', default=[],
                        metavar='CLASS')
    return resolve_pipeline_args(parser.parse_args(argv), 'unify_demo')


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
    return setting_tta(args.setting, args.scales, args.no_flip)


# --------------------------------------------------------------- pipeline
def teacher_checkpoint(seed: int, root: str, steps: dict, args,
                       progress: Progress) -> str:
    """Train (or reuse) the demo teacher of one seed."""
    name = f'seed {seed}: teacher'
    if args.teacher_ckpt:
        progress.announce(name)
        checkpoint = best_checkpoint(
            args.teacher_ckpt.replace('{seed}', str(seed)))
        progress.finish(executed=False)
        return checkpoint
    options = [f'randomness.seed={seed}']
    if steps['teacher'] != 1000:
        options += schedule_options(steps['teacher'])
    return train_step(progress, name, TEACHER,
                      osp.join(root, config_name(TEACHER)), options,
                      steps['teacher'])


def steps_per_seed(args) -> int:
    """Progress steps of one seed: teacher and its tests, then per
    iteration and variant the extras' labels, student, fine-tune, tests."""
    return 2 + args.iterations * 2 * (len(EXTRAS) + 4)


def train_step(progress: Progress, name: str, config: str, work_dir: str,
               options: List[str], iters: int) -> str:
    """One training run as a progress step; returns its checkpoint."""
    progress.announce(name)
    done = finished(work_dir)
    checkpoint = train(config, work_dir, options, iters)
    progress.finish(executed=not done)
    return checkpoint


def eval_step(progress: Progress, name: str, checkpoint: str,
              run_dir: str) -> Dict[str, float]:
    """The tests of one model as a progress step."""
    progress.announce(name)
    done = tested(checkpoint, run_dir)
    metrics = evaluate(checkpoint, run_dir)
    progress.finish(executed=not done)
    return metrics


def run_variant(seed: int, it: int, priors: bool, teacher: str, args,
                progress: Progress) -> dict:
    """Labels, student, fine-tune and tests of one variant and iteration.

    Returns:
        dict: ``quality`` (``'<extra>/it<i>/<kind>'`` -> quality),
        ``models`` (row name -> metrics) and ``finetuned`` (checkpoint).
    """
    steps, tta = STEPS[args.setting], tta_settings(args)
    root = osp.join(args.work_dir, f'seed{seed}')
    kind = 'priors' if priors else 'no-priors'
    tag = region_tag(args) if priors else ''
    name = f'{VARIANT_NAMES[priors]}{tag}, it. {it}'
    labels, quality_of = {}, {}
    for extra in EXTRAS:
        progress.announce(f'seed {seed}: {name}: pseudo-labels of {extra}')
        out = osp.join(root, 'pseudo_labels', f'it{it}_{kind}{tag}', extra)
        done = labelled(out)
        pseudo_label(teacher, extra, out, priors, tta, region_flags(args))
        labels[extra] = out
        quality_of[f'{extra}/it{it}/{kind}'] = quality(out, extra)
        progress.finish(executed=not done)
    student_dir = osp.join(root,
                           f'{config_name(STUDENTS[priors])}_it{it}{tag}')
    student = train_step(progress, f'seed {seed}: {name}: student',
                         STUDENTS[priors], student_dir,
                         student_options(seed, labels, steps),
                         steps['student'])
    ft_dir = osp.join(root, f'{config_name(FINETUNES[priors])}_it{it}{tag}')
    finetuned = train_step(progress, f'seed {seed}: {name}: fine-tune',
                           FINETUNES[priors], ft_dir,
                           finetune_options(seed, student, ft_dir, steps),
                           steps['finetune'])
    models = {
        name: eval_step(progress, f'seed {seed}: {name}: tests', student,
                        student_dir),
        name + ' + fine-tune': eval_step(
            progress, f'seed {seed}: {name} + fine-tune: tests', finetuned,
            ft_dir)}
    return dict(quality=quality_of, models=models, finetuned=finetuned)


def run_seed(seed: int, args, progress: Optional[Progress] = None) -> dict:
    """Every step for one seed.

    Returns:
        dict: ``models``: row name -> metrics; ``pseudo_labels``: (extra,
        iteration, priors) -> quality, keyed ``'<extra>/it<i>/<priors>'``.
    """
    progress = progress or Progress(steps_per_seed(args))
    root = osp.join(args.work_dir, f'seed{seed}')
    teacher = teacher_checkpoint(seed, root, STEPS[args.setting], args,
                                 progress)
    models = {'teacher: FCN-R18-w16 on demo_urban': eval_step(
        progress, f'seed {seed}: teacher: tests', teacher,
        osp.join(root, 'teacher_eval'))}
    labels_quality = {}
    teachers = {True: teacher, False: teacher}
    for it in range(1, args.iterations + 1):
        for priors in (False, True):
            result = run_variant(seed, it, priors, teachers[priors], args,
                                 progress)
            labels_quality.update(result['quality'])
            models.update(result['models'])
            teachers[priors] = result['finetuned']
    return dict(models=models, pseudo_labels=labels_quality)


# ----------------------------------------------------------------- output
def save(results: List[dict], args, tables: str,
         work_dir: Optional[str] = None) -> str:
    """Write ``results.md``, ``results.json`` and ``results.png`` into the
    work dir; return the figure's path."""
    folder = write_results(
        work_dir or args.work_dir, tables,
        dict(seeds=args.seeds, setting=args.setting,
             steps=STEPS[args.setting], iterations=args.iterations,
             tta=tta_settings(args), results=results))
    steps = STEPS[args.setting]
    title = (f'Label-space unification on the demo data ({args.setting}: '
             f'teacher {steps["teacher"]}, students up to '
             f'{steps["student"]} + {steps["finetune"]} iterations), '
             f'{seeds_text(args.seeds)}')
    return save_results_figure(figure_panels(results, list(EVAL_SETS)),
                               title, osp.join(folder, 'results.png'))


def main(argv=None):
    args = parse_args(argv)
    progress = Progress(steps_per_seed(args) * len(args.seeds))
    results = [run_seed(seed, args, progress) for seed in args.seeds]
    tables = ('Models (mIoU %, single scale):\n\n' +
              models_table(results, args.seeds, list(EVAL_SETS)) +
              '\n\nPseudo-labels against the hidden fine truth (mIoU % over '
              'the labelled pixels):\n\n' +
              quality_table(results, tta_settings(args)))
    figure = save(results, args, tables)
    print(f'\nLabel-space unification on the demo data ({args.setting} '
          f'setting; chart: {figure})\n\n' + tables)


if __name__ == '__main__':
    main()
