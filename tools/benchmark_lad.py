# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LAD family benchmark on the demo data: a table shaped like the paper's
Tab. 4.

    python tools/benchmark_lad.py [--seeds 0 1 2] [--families fcn stdc1]
        [--iters N] [--work-dir work_dirs/benchmark_lad]
        [--cfg-options k=v ...]

For each family (FCN, PSPNet, DeepLabV3, STDC, OCRNet, in the CPU-sized
variants of ``configs/benchmark/``) and seed it trains and tests

* the undistilled student (the baseline),
* the CWD student, distilled from one ordinary (RGB-only) teacher shared by
  all families (DeepLabV3-R18-w32, trained first and twice as long),
* the LAD teacher (the student's network with the noised label as a 4th
  input channel), tested with and without its label input,
* the LAD student, distilled from that LAD teacher.

Every run of a seed uses ``randomness.seed=<seed>``: the three students of a
family start from the same initialisation (``CWDDistiller`` builds its
teacher under a forked RNG). Each run is a plain ``tools/train.py`` +
``tools/test.py`` call on its config, exactly what a user would type; runs
that already finished are skipped, so an interrupted benchmark resumes where
it stopped. Distilled checkpoints hold the student's own weights and are
tested with the plain student config.

The table (family rows: baseline, CWD and LAD student mIoU, their gain over
the baseline, the LAD teacher with and without label; ``mean ± std`` over
seeds) is printed and saved with the seeds, the machine and the wall time of
every run as ``results.md`` and ``results.json`` in the work dir, after
every run (a stopped benchmark leaves the table of what it finished).
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import time
from collections import namedtuple
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config

from mmseg_unify.utils.environment import cpu_model, module_version
from mmseg_unify.utils.progress import Progress, clock
from mmseg_unify.utils.experiment import (ROOT, best_checkpoint, config_name,
                                          finished, latest_metrics,
                                          schedule_options, seed_work_dir,
                                          summary, test, train, write_results)

CONFIG_DIR = 'configs/benchmark'
SCHEDULE = '1xb4-600_demo-urban-96x96'
# The shared ordinary teacher trains twice as long as the students.
TEACHER_CONFIG = (f'{CONFIG_DIR}/'
                  'deeplabv3_r18-w32-d8_1xb4-1200_demo-urban-96x96.py')
TEACHER_SHORT = 'deeplabv3-r18-w32'  # its name in the CWD students' configs
TEACHER_NAME = 'DeepLabV3-R18-w32'  # and in the table
# key: (name in the table, config stem of the student, its short form in the
# LAD student's config name)
FAMILIES = {
    'fcn': ('FCN-R18-w16', 'fcn_r18-w16-d8', 'fcn-r18-w16'),
    'pspnet': ('PSPNet-R18-w16', 'pspnet_r18-w16-d8', 'pspnet-r18-w16'),
    'deeplabv3': ('DeepLabV3-R18-w16', 'deeplabv3_r18-w16-d8',
                  'deeplabv3-r18-w16'),
    'stdc1': ('STDC1-w16', 'stdc1-w16', 'stdc1-w16'),
    'ocrnet': ('OCRNet-HR18s-w16', 'ocrnet_hr18s-w16', 'ocrnet-hr18s-w16'),
}

# key: 'teacher' or '<family>/<student|lad-teacher|cwd|lad>'; teacher: the
# config of the run whose checkpoint a distilled run learns from, or None.
Run = namedtuple('Run', ['key', 'config', 'teacher', 'test_config'])


def config_path(name: str) -> str:
    """``configs/benchmark/<name>_<schedule>.py``."""
    return f'{CONFIG_DIR}/{name}_{SCHEDULE}.py'


def plan(families: List[str]) -> List[Run]:
    """The runs of one seed in training order (teachers before students).

    Args:
        families (list[str]): Keys of :data:`FAMILIES`.

    Returns:
        list[Run]: The shared teacher, then per family the student, its LAD
        teacher, the CWD student and the LAD student.
    """
    runs = [Run('teacher', TEACHER_CONFIG, None, TEACHER_CONFIG)]
    for family in families:
        _, stem, short = FAMILIES[family]
        student = config_path(stem)
        lad_teacher = config_path(f'lad-teacher_{stem}')
        runs += [
            Run(f'{family}/student', student, None, student),
            Run(f'{family}/lad-teacher', lad_teacher, None, lad_teacher),
            Run(f'{family}/cwd',
                config_path(f'cwd-student_{stem}_{TEACHER_SHORT}-teacher'),
                TEACHER_CONFIG, student),
            Run(f'{family}/lad',
                config_path(f'lad-student_{stem}_lad-teacher-{short}'),
                lad_teacher, student),
        ]
    return runs


def config_iters(config: str) -> int:
    """``train_cfg.max_iters`` of a config (no imports, no build)."""
    cfg = Config.fromfile(osp.join(ROOT, config), import_custom_modules=False)
    return cfg.train_cfg.max_iters


def run_iters(config: str, iters: Optional[int] = None) -> int:
    """A run's ``max_iters``: its config's, or under ``--iters N``: ``N``
    for a student's schedule, proportionally more for a config that trains
    longer (the shared teacher)."""
    own = config_iters(config)
    if not iters:
        return own
    student = config_iters(config_path(FAMILIES['fcn'][1]))
    return max(round(iters * own / student), 1)


def tested_metrics(work_dir: str,
                   checkpoint: str) -> Optional[Dict[str, float]]:
    """Metrics of a test run newer than ``checkpoint``, if there is one.

    Lets a resumed benchmark skip tests it already ran.

    Args:
        work_dir (str): The run's work dir.
        checkpoint (str): The checkpoint the test must postdate.

    Returns:
        dict or None: The newest test metrics, or None.
    """
    files = glob.glob(osp.join(ROOT, work_dir, '*', '*.json'))
    if not files or max(map(osp.getmtime, files)) < osp.getmtime(checkpoint):
        return None
    return latest_metrics(work_dir)


def run_once(run: Run, seed: int, args) -> Tuple[Dict[str, float], bool]:
    """Train and test one run of one seed (each skipped if done).

    Args:
        run (Run): The run.
        seed (int): ``randomness.seed`` of training and test.
        args: The parsed command line.

    Returns:
        tuple[dict, bool]: The test metrics, and whether anything ran (False
        when both training and test had finished before).
    """
    common = [f'randomness.seed={seed}'] + list(args.cfg_options)
    options = list(common)
    iters = run_iters(run.config, args.iters)
    if args.iters:
        options += schedule_options(iters)
    if run.teacher:
        teacher_dir = seed_work_dir(args.work_dir, seed, run.teacher)
        options.append(f'model.teacher_ckpt={best_checkpoint(teacher_dir)}')
    work_dir = seed_work_dir(args.work_dir, seed, run.config)
    trained = finished(work_dir, iters)
    checkpoint = train(run.config, work_dir, options, iters)
    metrics = tested_metrics(work_dir, checkpoint)
    if metrics is not None:
        return metrics, not trained
    return test(run.test_config, checkpoint, work_dir, common), True


def delta(values: List[Optional[float]],
          baseline: List[Optional[float]]) -> str:
    """Paired gain over the baseline (same seeds): ``+mean[ ± std]``."""
    diffs = [v - b for v, b in zip(values, baseline)
             if v is not None and b is not None]
    if not diffs:
        return '—'
    text = summary(diffs)
    return text if text.startswith('-') else '+' + text


def cell(values: List[Optional[float]]) -> str:
    """``mean ± std`` of the available values, ``—`` if none."""
    values = [v for v in values if v is not None]
    return summary(values) if values else '—'


def metric(results: dict, key: str, name: str = 'mIoU') -> list:
    """One metric of a run for every seed (None where it did not run)."""
    runs = results['runs'].get(key, {}).get('metrics', [])
    return [m.get(name) if m else None for m in runs]


def table(results: dict) -> str:
    """The Markdown table: one row per family, Tab. 4 of the paper's shape.

    Args:
        results (dict): ``seeds``, ``families`` and ``runs`` (key ->
            ``metrics``, a list with one dict or None per seed).

    Returns:
        str: The table plus a line with the shared teacher's mIoU.
    """
    seeds = ', '.join(map(str, results['seeds']))
    lines = [
        f'| student (val mIoU, seeds {seeds}) | no distillation | '
        f'CWD ({TEACHER_NAME} teacher) | LAD | Δ CWD | Δ LAD | '
        'LAD teacher, noised label | LAD teacher, zero label |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
    ]
    for family in results['families']:
        base = metric(results, f'{family}/student')
        cwd = metric(results, f'{family}/cwd')
        lad = metric(results, f'{family}/lad')
        teacher = f'{family}/lad-teacher'
        lines.append(
            f'| {FAMILIES[family][0]} | {cell(base)} | {cell(cwd)} | '
            f'{cell(lad)} | {delta(cwd, base)} | {delta(lad, base)} | '
            f'{cell(metric(results, teacher))} | '
            f'{cell(metric(results, teacher, "zeros/mIoU"))} |')
    lines.append(f'\nOrdinary teacher {TEACHER_NAME} (RGB only): '
                 f'{cell(metric(results, "teacher"))} mIoU.')
    return '\n'.join(lines)


def timing_table(results: dict) -> str:
    """Wall seconds (train + test) of the runs executed, mean over seeds."""
    lines = ['| run | seconds (train + test) |', '| --- | ---: |']
    for key, run in results['runs'].items():
        seconds = [s for s in run['seconds'] if s is not None]
        if seconds:
            name = config_name(run['config'])
            lines.append(f'| {name} | {sum(seconds) / len(seconds):.0f} |')
    return '\n'.join(lines)


def machine() -> dict:
    """What the numbers were measured on."""
    return dict(
        platform=platform.platform(),
        cpu=cpu_model(),
        cores=os.cpu_count(),
        omp_num_threads=os.environ.get('OMP_NUM_THREADS', 'unset'),
        load_average_at_start=[round(x, 2) for x in os.getloadavg()],
        torch=module_version('torch'),
        mmcv=module_version('mmcv'),
        mmsegmentation=module_version('mmseg'))


def notes(results: dict) -> str:
    """Seeds, schedule, machine and total time, in words."""
    runs, m = results['runs'], results['machine']
    student = next(r for k, r in runs.items() if k != 'teacher')
    seconds = [s for r in runs.values() for s in r['seconds'] if s]
    return (
        f"Seeds: {', '.join(map(str, results['seeds']))}. Batch 4; "
        f"{student['iters']} iterations per student and LAD teacher, "
        f"{runs['teacher']['iters']} for the shared teacher. Δ: difference "
        'to the baseline of the same seed. LAD teachers are tested with a '
        'noised ground-truth label and with a zero channel. Machine: '
        f"{m['cpu']}, {m['cores']} cores, OMP_NUM_THREADS="
        f"{m['omp_num_threads']}, load average {m['load_average_at_start'][0]}"
        f' at the start; wall time of the timed runs: {clock(sum(seconds))}.')


def save(results: dict, work_dir: str) -> str:
    """Write ``results.json`` and ``results.md``; return the Markdown."""
    text = (f'{table(results)}\n\n{notes(results)}\n\n'
            f'{timing_table(results)}\n')
    write_results(work_dir, text, results)
    return text


def parse_args():
    parser = argparse.ArgumentParser(
        description='LAD family benchmark on the demo data (paper Tab. 4)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_lad')
    parser.add_argument(
        '--seeds', type=int, nargs='+', default=[0],
        help='seeds; several give mean ± std')
    parser.add_argument(
        '--families', nargs='+', default=list(FAMILIES),
        choices=list(FAMILIES), help='families to run (default: all)')
    parser.add_argument(
        '--iters', type=int, default=None,
        help="max_iters of every student run (default: the configs'); the "
        'shared teacher keeps its longer schedule in proportion (2x)')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides passed to every train and test run')
    return parser.parse_args()


def previous_seconds(work_dir: str) -> Dict[Tuple[str, int], float]:
    """Run times an earlier call saved in ``results.json`` (run key, seed),
    so that a resumed benchmark still reports the time of every run."""
    path = osp.join(ROOT, work_dir, 'results.json')
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        old = json.load(f)
    return {(key, seed): s
            for key, run in old['runs'].items()
            for seed, s in zip(old['seeds'], run['seconds']) if s}


def main():
    args = parse_args()
    runs = plan(args.families)
    before = previous_seconds(args.work_dir)
    results = dict(
        seeds=args.seeds, families=args.families, iters=args.iters,
        machine=machine(),
        runs={r.key: dict(config=r.config, test_config=r.test_config,
                          teacher=r.teacher,
                          iters=run_iters(r.config, args.iters),
                          metrics=[None] * len(args.seeds),
                          seconds=[None] * len(args.seeds))
              for r in runs})
    progress = Progress(len(runs) * len(args.seeds))
    for i, seed in enumerate(args.seeds):
        for run in runs:
            progress.announce(f'seed {seed}: {config_name(run.config)}')
            start = time.time()
            metrics, executed = run_once(run, seed, args)
            seconds = time.time() - start
            entry = results['runs'][run.key]
            entry['metrics'][i] = metrics
            entry['seconds'][i] = (round(seconds, 1) if executed else
                                   before.get((run.key, seed)))
            progress.finish(executed, seconds)
            save(results, args.work_dir)
    results['machine']['load_average_at_end'] = [
        round(x, 2) for x in os.getloadavg()]
    results['machine']['total_seconds'] = round(
        time.time() - progress.start, 1)
    text = save(results, args.work_dir)
    print('\nLAD family benchmark (demo_urban val, single scale):\n' + text)


if __name__ == '__main__':
    main()
