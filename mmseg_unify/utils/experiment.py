# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Chaining ``tools/train.py`` and ``tools/test.py`` runs into experiments.

The one-command pipelines (``tools/demo.py``, ``tools/benchmark_lad.py``,
``tools/unify_demo.py``) are nothing but plain train/test calls a user could
type; these functions run them, skip runs that already finished (so an
interrupted pipeline resumes), collect metrics and write the result tables.

Where things are: ``TOOLS`` is the package's ``tools/`` (the checkout's, or
the copy a wheel ships under ``mmseg_unify/.mim``); relative work dirs,
configs and ``data/`` are taken relative to ``ROOT``, the source checkout
when the package runs from one, else the current directory (MMSeg's
``work_dirs/`` and ``data/`` conventions).
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from .checkpoint_paths import resolve_checkpoint
from .label_io import write_bytes_atomic, write_json_atomic
from .paths import package_data_dir

TOOLS = str(package_data_dir('tools'))
_CHECKOUT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ROOT = _CHECKOUT if osp.realpath(TOOLS) == osp.realpath(
    osp.join(_CHECKOUT, 'tools')) else os.getcwd()
FINISHED = 'finished.json'  # written into a training work dir at its end
RUN = 'run.json'  # its config and options, written before it starts
SETTINGS = ('short', 'full', 'quick')  # of the demo pipelines


def run(cmd: Sequence[str], cwd: str = ROOT) -> None:
    """Run a command, streaming its output; raise if it fails.

    Args:
        cmd (Sequence[str]): The command and its arguments.
        cwd (str): Working directory. Defaults to the repository root.
    """
    print('\n$ ' + ' '.join(cmd), flush=True)
    subprocess.run(list(cmd), cwd=cwd, check=True)


def schedule_options(iters: int,
                     interval: Optional[int] = None) -> List[str]:
    """``--cfg-options`` that set an iteration-based run to ``iters``.

    Validation and checkpoints happen every ``interval`` iterations (default:
    four times per run); the first ``param_scheduler`` entry (the poly
    schedule of the demo configs) ends at ``iters``.

    Args:
        iters (int): The new ``train_cfg.max_iters``.
        interval (int, optional): Validation and checkpoint interval.
            Default: ``iters // 4`` (at least 1).

    Returns:
        list[str]: ``key=value`` strings for ``--cfg-options``.
    """
    interval = interval or max(iters // 4, 1)
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={interval}',
        f'default_hooks.checkpoint.interval={interval}',
        f'param_scheduler.0.end={iters}'
    ]


def latest_metrics(work_dir: str) -> Dict[str, float]:
    """Metrics of the newest ``tools/test.py`` run in ``work_dir``.

    Args:
        work_dir (str): A run's work dir (absolute or relative to the root).

    Returns:
        dict: The metrics mmengine dumped (``<timestamp>/<timestamp>.json``).
    """
    files = sorted(glob.glob(osp.join(ROOT, work_dir, '*', '*.json')),
                   key=osp.getmtime)
    if not files:
        raise RuntimeError(f'no test results (*.json) under {work_dir}')
    with open(files[-1]) as f:
        return json.load(f)


def finished(work_dir: str, iters: Optional[int] = None) -> bool:
    """Whether a training run finished: the one definition the pipelines
    use.

    A run is finished once :func:`train` wrote ``finished.json`` into its
    work dir (also when early stopping ended it before ``max_iters``), or,
    for work dirs of earlier versions, when its last checkpoint is
    ``iter_{iters}.pth``.

    Args:
        work_dir (str): The run's work dir.
        iters (int, optional): Its ``max_iters``.
    """
    if osp.isfile(osp.join(ROOT, work_dir, FINISHED)):
        return True
    last = osp.join(ROOT, work_dir, 'last_checkpoint')
    if iters is None or not osp.isfile(last):
        return False
    with open(last) as f:
        name = osp.basename(f.read().strip())
    return name == f'iter_{iters}.pth'


def best_checkpoint(work_dir: str) -> str:
    """The ``save_best`` checkpoint of a run, else its last checkpoint."""
    return resolve_checkpoint(osp.join(ROOT, work_dir))


def train(config: str,
          work_dir: str,
          options: Sequence[str] = (),
          iters: int = 1000) -> str:
    """Train ``config`` unless ``work_dir`` already holds its last iteration.

    Args:
        config (str): Config path relative to the root.
        work_dir (str): Where the run writes.
        options (Sequence[str]): ``--cfg-options`` entries.
        iters (int): The run's ``max_iters`` (to recognise a finished run).

    Returns:
        str: The run's best (else last) checkpoint.
    """
    check_same_run(work_dir, config, options)
    if finished(work_dir, iters):
        print(f'\n{work_dir}: already trained, skipping', flush=True)
        return best_checkpoint(work_dir)
    write_json_atomic(osp.join(ROOT, work_dir, RUN),
                      dict(config=config, options=list(options)))
    cmd = [sys.executable, osp.join(TOOLS, 'train.py'), config, '--work-dir',
           work_dir]
    if options:
        cmd += ['--cfg-options', *options]
    if osp.isfile(osp.join(ROOT, work_dir, 'last_checkpoint')):
        cmd.append('--resume')
    run(cmd)
    checkpoint = best_checkpoint(work_dir)
    write_json_atomic(osp.join(ROOT, work_dir, FINISHED),
                      dict(checkpoint=checkpoint, config=config,
                           options=list(options)))
    return checkpoint


def check_same_run(work_dir: str, config: str,
                   options: Sequence[str]) -> None:
    """Refuse to continue (or reuse) a run started with other settings.

    :func:`train` records the config and ``--cfg-options`` of a run in
    ``run.json`` before it starts; a restart with other ones would resume
    (or skip as finished) a run of another schedule or seed and mix two
    runs' results. ``load_from`` is left out of the comparison (a resumed
    fine-tuning run clears it, see ``tools/unify_demo.py``). Work dirs
    without ``run.json`` (older versions) pass.

    Raises:
        RuntimeError: Naming the work dir and both settings.
    """
    path = osp.join(ROOT, work_dir, RUN)
    if not osp.isfile(path):
        return
    with open(path) as f:
        before = json.load(f)
    now = dict(config=config, options=list(options))

    def identity(run: dict) -> dict:
        kept = [o for o in run.get('options', [])
                if not o.startswith('load_from=')]
        return dict(config=run.get('config'), options=kept)

    if identity(before) != identity(now):
        raise RuntimeError(
            f'{work_dir} holds a run of other settings: {before} (now '
            f'{now}). Use another --work-dir (each setting of the demo '
            'pipelines has its own by default) or delete that folder.')


def test(config: str,
         checkpoint: str,
         work_dir: str,
         options: Sequence[str] = ()) -> Dict[str, float]:
    """Test ``checkpoint`` with ``config`` and return the metrics.

    Args:
        config (str): Config path relative to the root.
        checkpoint (str): Checkpoint file.
        work_dir (str): Where the test run writes its logs and metrics.
        options (Sequence[str]): ``--cfg-options`` entries.
    """
    cmd = [sys.executable, osp.join(TOOLS, 'test.py'), config, checkpoint,
           '--work-dir', work_dir]
    if options:
        cmd += ['--cfg-options', *options]
    run(cmd)
    return latest_metrics(work_dir)


def tool(name: str) -> str:
    """The path of ``tools/<name>.py`` of the installed package."""
    return osp.join(TOOLS, f'{name}.py')


def write_results(work_dir: str, markdown: str, data) -> str:
    """Write a pipeline's ``results.md`` and ``results.json`` (atomically).

    Args:
        work_dir (str): The pipeline's work dir (relative to ``ROOT``).
        markdown (str): The tables.
        data: JSON-ready results.

    Returns:
        str: The folder written to.
    """
    folder = osp.join(ROOT, work_dir)
    write_bytes_atomic(osp.join(folder, 'results.md'),
                       (markdown.rstrip('\n') + '\n').encode('utf-8'))
    write_json_atomic(osp.join(folder, 'results.json'), data)
    return folder


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0.0 for a single value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, (sum((v - mean)**2 for v in values) /
                  (len(values) - 1))**0.5


def summary(values: List[float]) -> str:
    """``mean`` or ``mean ± std`` (sample std) of a list of numbers."""
    mean, std = mean_std(values)
    if len(values) == 1:
        return f'{mean:.2f}'
    return f'{mean:.2f} ± {std:.2f}'


def config_name(config: str) -> str:
    """A config's file name without directory and ``.py``."""
    return osp.splitext(osp.basename(config))[0]


def setting_of(args) -> str:
    """``'full'``, ``'quick'`` or ``'short'`` (the default) of a demo
    pipeline's parsed ``--full`` / ``--quick`` flags."""
    return 'full' if args.full else 'quick' if args.quick else 'short'


def add_pipeline_args(parser, pipeline: str, full_help: str,
                      quick_help: str) -> None:
    """``--work-dir``, ``--full`` / ``--quick`` and ``--seeds`` of a demo
    pipeline (see :func:`resolve_pipeline_args`).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        pipeline (str): Its name, the default work dir's.
        full_help (str): What ``--full`` runs.
        quick_help (str): What ``--quick`` runs.
    """
    parser.add_argument(
        '--work-dir', help=f'default: work_dirs/{pipeline} (short), '
        f'work_dirs/{pipeline}_full, work_dirs/{pipeline}_quick')
    setting = parser.add_mutually_exclusive_group()
    setting.add_argument('--full', action='store_true', help=full_help)
    setting.add_argument('--quick', action='store_true', help=quick_help)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='seeds; several give mean ± std')


def resolve_pipeline_args(args, pipeline: str):
    """Set ``args.setting`` and the setting's default ``args.work_dir``."""
    args.setting = setting_of(args)
    args.work_dir = args.work_dir or setting_work_dir(pipeline, args.setting)
    return args


def setting_work_dir(pipeline: str, setting: str) -> str:
    """``work_dirs/<pipeline>`` for the default setting, else
    ``work_dirs/<pipeline>_<setting>``: settings never share runs."""
    if setting not in SETTINGS:
        raise ValueError(f'setting must be one of {SETTINGS}, got '
                         f'{setting!r}')
    suffix = '' if setting == 'short' else f'_{setting}'
    return osp.join('work_dirs', pipeline + suffix)


def seed_work_dir(root: str, seed: int, config: str,
                  tag: Optional[str] = None) -> str:
    """``root/seed<seed>/<config name>[_<tag>]``: one run of a pipeline."""
    name = config_name(config) + (f'_{tag}' if tag else '')
    return osp.join(root, f'seed{seed}', name)
