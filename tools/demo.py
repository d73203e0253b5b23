# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The main job on the built-in demo data: train, evaluate, print a table.

    python tools/demo.py [--quick] [--seeds 0 1 2] [--work-dir work_dirs/demo]

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
import os.path as osp
from typing import Dict, List

from mmseg_unify.utils.experiment import (ROOT, best_checkpoint, finished,
                                          schedule_options, seed_work_dir,
                                          summary, test, train, write_results)
from mmseg_unify.utils.progress import Progress

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
     '1xb4-1k_demo-urban-128x128.py', 'LAD teacher: FCN-R18-w16 + noised label'),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--iters', type=int, default=None,
        help='override max_iters of every run (default: the configs\')')
    parser.add_argument(
        '--quick', action='store_true',
        help='200 iterations per run: a smoke run of the whole pipeline')
    parser.add_argument(
        '--seeds', type=int, nargs='+', default=[0],
        help='seeds; several give mean ± std per run')
    return parser.parse_args()


def work_dir_of(config: str, seed: int, args) -> str:
    return seed_work_dir(args.work_dir, seed, config)


def train_and_test(config: str, teacher_dir: str, seed: int,
                   args) -> Dict[str, float]:
    """Train one config, test its best checkpoint, return the metrics."""
    work_dir = work_dir_of(config, seed, args)
    options = [f'randomness.seed={seed}']
    iters = 200 if args.quick else args.iters
    if iters:
        options += schedule_options(iters)
    if teacher_dir:
        options.append(f'model.teacher_ckpt={best_checkpoint(teacher_dir)}')
    checkpoint = train(config, work_dir, options, iters or 1000)
    # Distilled checkpoints hold the student's own weights: test them with
    # the plain student config, as a user deploying the student would.
    test_config = STUDENT if teacher_dir else config
    return test(test_config, checkpoint, work_dir)


def table(rows: List[Dict], seeds: List[int]) -> str:
    """A Markdown table, one line per run (and per label input)."""
    lines = [f'| run | mIoU (seeds {", ".join(map(str, seeds))}) | mAcc |'
             ' config |', '| --- | ---: | ---: | --- |']
    for r in rows:
        for key, suffix in (('', ''), ('zeros/', ', without label input')):
            if f'{key}mIoU' not in r['metrics'][0]:
                continue
            if key == '' and 'zeros/mIoU' in r['metrics'][0]:
                suffix = ', with noised GT label input'
            miou = summary([m[f'{key}mIoU'] for m in r['metrics']])
            macc = summary([m[f'{key}mAcc'] for m in r['metrics']])
            lines.append(f"| {r['run']}{suffix} | {miou} | {macc} | "
                         f"`{osp.basename(r['config'])}` |")
    return '\n'.join(lines)


def main():
    args = parse_args()
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
            progress.finish(executed=not done)
    rows = list(rows.values())
    text = table(rows, args.seeds)
    write_results(args.work_dir, text, rows)
    print('\nDemo results (val split of demo_urban, single scale):\n' + text)


if __name__ == '__main__':
    main()
