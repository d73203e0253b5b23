# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The main job on the built-in demo data: train, evaluate, print a table.

    python tools/demo.py [--full | --quick] [--seeds 0 1 2] [--work-dir DIR]

Settings: the default runs every config for 300 iterations (the short main
job of ``tools/run_demo.sh``, about 8 minutes on 2 cores); ``--full`` uses
the configs' own 1000-iteration schedules (the numbers of
``docs/en/results.md``); ``--quick`` is a 200-iteration smoke run. Each
setting has its own default work dir (``work_dirs/demo``,
``work_dirs/demo_full``, ``work_dirs/demo_quick``).

LAD pipeline: the undistilled baseline, an ordinary (RGB) teacher and the CWD
student distilled from it, a LAD teacher (evaluated with and without its
label input) and the LAD student distilled from it. Every student starts
from the same initialisation (same seed) and schedule.

Every run is a plain ``tools/train.py`` + ``tools/test.py`` call on a config
under ``configs/demo``, exactly what a user would type; this script only
chains them and collects the metrics into one table (printed, and saved as
``results.md`` and ``results.json`` in the work dir).
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Optional

from mmseg_unify.utils.experiment import (ROOT, add_pipeline_args,
                                          best_checkpoint, finished,
                                          resolve_pipeline_args, run,
                                          schedule_options, seed_work_dir,
                                          summary, test, tool, train,
                                          write_results)
from mmseg_unify.utils.progress import Progress
from mmseg_unify.visualization.results_chart import (save_results_figure,
                                                     seeds_text)

STUDENT = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
# (run name, config, teacher run or None), in training order. Distilled runs
# are tested with the plain student config: their checkpoints hold the
# student's own weights (CWDDistiller saves them under the student's keys).
RUNS = [
    ('baseline: FCN-R18-w16 student, no distillation',
     'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py', None),
    ('ordinary teacher: DeepLabV3-R18-w32',
     'configs/demo/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128.py', None),
    ('CWD: student <- ordinary teacher',
     'configs/lad/cwd-student_fcn_r18-w16-d8_deeplabv3-r18-w32-teacher_'
     '1xb4-1k_demo-urban-128x128.py', 'ordinary teacher: DeepLabV3-R18-w32'),
    ('LAD teacher: FCN-R18-w16 + noised label',
     'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py',
     None),
    ('LAD: student <- LAD teacher',
     'configs/lad/lad-student_fcn_r18-w16-d8_lad-teacher-fcn-r18-w16_'
     '1xb4-1k_demo-urban-128x128.py',
     'LAD teacher: FCN-R18-w16 + noised label'),
]


# iterations per run of each setting (None: the configs' own 1000)
ITERATIONS = dict(quick=200, short=300, full=None)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_pipeline_args(
        parser, 'demo',
        full_help="the configs' own 1000-iteration schedules (the results "
        'page)',
        quick_help='200 iterations per run: a smoke run of the whole pipeline')
    parser.add_argument(
        '--iters', type=int, default=None,
        help='iterations of every run (overrides the setting\'s)')
    return resolve_pipeline_args(parser.parse_args(argv), 'demo')


def iterations(args) -> int:
    """Iterations per run (``--iters``, else the setting's, else 1000)."""
    return args.iters or ITERATIONS[args.setting] or 1000


def work_dir_of(config: str, seed: int, args) -> str:
    return seed_work_dir(args.work_dir, seed, config)


def train_and_test(config: str, teacher_dir: str, seed: int,
                   args) -> Dict[str, float]:
    """Train one config, test its best checkpoint, return the metrics."""
    work_dir = work_dir_of(config, seed, args)
    options = [f'randomness.seed={seed}']
    iters = iterations(args)
    if iters != 1000:  # the configs' own schedule otherwise
        options += schedule_options(iters)
    if teacher_dir:
        options.append(f'model.teacher_ckpt={best_checkpoint(teacher_dir)}')
    checkpoint = train(config, work_dir, options, iters)
    # Distilled checkpoints hold the student's own weights: test them with
    # the plain student config, as a user deploying the student would.
    test_config = STUDENT if teacher_dir else config
    return test(test_config, checkpoint, work_dir)


def label_usage(config: str, seed: int, args) -> Optional[str]:
    """The one-line ``tools/lad_label_usage.py`` verdict of a seed's LAD
    teacher (run once per checkpoint, 20 validation images)."""
    teacher_dir = work_dir_of(config, seed, args)
    checkpoint = best_checkpoint(teacher_dir)
    out = osp.join(teacher_dir, 'label_usage')
    result = osp.join(ROOT, out, 'label_usage.json')
    if osp.isfile(result):
        with open(result) as f:
            saved = json.load(f)
        if saved.get('checkpoint') == checkpoint:
            return saved['summary']
    run([sys.executable, tool('lad_label_usage'), config, checkpoint,
         '--num-images', '20', '--work-dir', out])
    with open(result) as f:
        return json.load(f)['summary']


def table_rows(rows: List[Dict]):
    """``(name, mIoU values, mAcc values)`` per run and label input, in
    table order (a LAD teacher gives two: with and without its label)."""
    for r in rows:
        for key, suffix in (('', ''), ('zeros/', ', without label input')):
            if f'{key}mIoU' not in r['metrics'][0]:
                continue
            if key == '' and 'zeros/mIoU' in r['metrics'][0]:
                suffix = ', with noised GT label input'
            yield (r['run'] + suffix, r['config'],
                   [m[f'{key}mIoU'] for m in r['metrics']],
                   [m[f'{key}mAcc'] for m in r['metrics']])


def table(rows: List[Dict], seeds: List[int]) -> str:
    """A Markdown table, one line per run (and per label input)."""
    lines = [f'| run | mIoU (seeds {", ".join(map(str, seeds))}) | mAcc |'
             ' config |', '| --- | ---: | ---: | --- |']
    for name, config, miou, macc in table_rows(rows):
        lines.append(f'| {name} | {summary(miou)} | {summary(macc)} | '
                     f'`{osp.basename(config)}` |')
    for r in rows:
        for seed, usage in zip(seeds, r.get('label_usage', [])):
            lines.append(f"\n{r['run']}, seed {seed}, label usage "
                         f'(tools/lad_label_usage.py, 20 val images): '
                         f'{usage}')
    return '\n'.join(lines)


def figure_panels(rows: List[Dict]) -> List[dict]:
    """The table as one bar-chart panel (mIoU and mAcc per run)."""
    series = {'mIoU': {}, 'mAcc': {}}
    for name, _, miou, macc in table_rows(rows):
        series['mIoU'][name], series['mAcc'][name] = miou, macc
    return [dict(title='demo_urban val, single scale', xlabel='%',
                 series=series)]


def main(argv=None):
    args = parse_args(argv)
    rows = {name: dict(run=name, config=config, metrics=[])
            for name, config, _ in RUNS}
    progress = Progress(len(RUNS) * len(args.seeds))
    for seed in args.seeds:
        for name, config, teacher in RUNS:
            progress.announce(f'seed {seed}: {name}')
            teacher_dir = teacher and osp.join(
                ROOT, work_dir_of(rows[teacher]['config'], seed, args))
            done = finished(work_dir_of(config, seed, args))
            rows[name]['metrics'].append(
                train_and_test(config, teacher_dir, seed, args))
            if 'zeros/mIoU' in rows[name]['metrics'][-1]:  # a LAD teacher
                rows[name].setdefault('label_usage', []).append(
                    label_usage(config, seed, args))
            progress.finish(executed=not done)
    rows = list(rows.values())
    text = table(rows, args.seeds)
    folder = write_results(args.work_dir, text, rows)
    title = (f'LAD on the demo data: {iterations(args)} iterations per run, '
             f'{seeds_text(args.seeds)}')
    figure = save_results_figure(figure_panels(rows), title,
                                 osp.join(folder, 'results.png'))
    print(f'\nDemo results (val split of demo_urban, single scale, '
          f'{iterations(args)} iterations per run; {figure}):\n' + text)


if __name__ == '__main__':
    main()
