# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What the pseudo-labelling benchmarks share: the options and demo data of
their runs, the random demo teacher and :func:`run_tool`, one run of
``tools/pseudo_label.py`` in a fresh process (``bench_pseudo_label.py``
prices throughput and memory with it, ``bench_region_pooling.py`` the
region pooling; the large image: ``large_image_runs.py``).

    python benchmarks/pseudo_label_runs.py <pseudo_label.py arguments>

is the fresh process :func:`run_tool` starts (:func:`timer_worker`).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

from common import ROOT

TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
EXTRA = 'configs/unify/datasets/demo_split_extra.py'
SCALES = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]


def add_run_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of the runs both benchmarks make: the demo images,
    threads, the large case, the TTA scales, ``--work-dir`` and ``--json``.

    Args:
        parser (ArgumentParser): The benchmark's parser.

    Returns:
        ArgumentParser: The same parser.
    """
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument(
        '--size', type=int, nargs=2, default=[128, 256], help='H W')
    parser.add_argument(
        '--threads', type=int,
        help='torch threads per process (default: CPU cores / processes; '
        'use 1 on a machine shared with other jobs)')
    parser.add_argument('--no-large', action='store_true')
    parser.add_argument('--large-size', type=int, nargs=2,
                        default=[1208, 1920], help='H W')
    parser.add_argument('--large-classes', type=int, default=63)
    parser.add_argument(
        '--scales', type=float, nargs='+',
        help='TTA scales of the demo runs (default: the extra config\'s, '
        '0.5..2)')
    parser.add_argument('--work-dir', help='default: a temporary folder')
    parser.add_argument('--json', help='write the results here too')
    return parser


def demo_setup(args) -> tuple:
    """The work folder, ``args.images`` demo_split images of ``args.size``
    and the random teacher.

    Args:
        args (Namespace): With :func:`add_run_args`'s options.

    Returns:
        tuple[str, str, str]: The work folder, the teacher checkpoint and the
        demo_split data root.
    """
    work = args.work_dir or tempfile.mkdtemp(prefix='bench_pl_')
    os.makedirs(work, exist_ok=True)
    from mmseg_unify.datasets.demo_data import generate_demo_data
    counts = dict(demo_urban=dict(train=1, val=1),
                  demo_coarse=dict(train=1, val=1),
                  demo_split=dict(train=args.images, val=1))
    root = generate_demo_data(osp.join(work, 'demo'), seed=0,
                              size=tuple(args.size), counts=counts)
    return work, make_teacher(work), osp.join(root, 'demo_split')


def make_teacher(work: str, num_classes: int = 12) -> str:
    """Random-weight demo teacher checkpoint (speed does not depend on the
    weights)."""
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    import mmseg_unify  # noqa: F401
    cfg = Config.fromfile(osp.join(ROOT, TEACHER))
    cfg.model.decode_head.num_classes = num_classes
    cfg.model.auxiliary_head.num_classes = num_classes
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    path = osp.join(work, f'teacher_{num_classes}.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def timed_pooling(times: dict) -> None:
    """Add the wall time of every region pooling call of the pseudo-
    labelling model to ``times['pooling']`` (patches the name that
    ``mmseg_unify.models.tta`` calls)."""
    from mmseg_unify.models import tta
    inner = tta.pool_regions_

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            times['pooling'] = times.get('pooling', 0.0) + \
                time.perf_counter() - start

    tta.pool_regions_ = timed


def timer_worker(argv) -> None:
    """Runs in a fresh process: ``pseudo_label_timer.py`` with the region
    pooling timed too (0 without it); writes ``$BENCH_POOL_JSON.<rank>``."""
    sys.path.insert(0, osp.join(ROOT, 'benchmarks'))
    import pseudo_label_timer
    times = dict(pooling=0.0)
    timed_pooling(times)
    pseudo_label_timer.main(argv)
    rank = os.environ.get('RANK', '0')
    with open(f"{os.environ['BENCH_POOL_JSON']}.{rank}", 'w') as f:
        json.dump(times, f)


def run_tool(work, ckpt, data, nproc, threads=None, scales=None,
             region=None) -> dict:
    """One pseudo-labelling run (``region``: pooling weight and rule);
    returns the manifest's run entry with the timer's figures."""
    out = osp.join(work, f'labels_{nproc}p' + ('_pool' if region else ''))
    cmd = [sys.executable]
    if nproc > 1:
        cmd += ['-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
                '--master_port=29561']
    cmd += ['benchmarks/pseudo_label_runs.py', TEACHER, ckpt, '--extra',
            EXTRA, '--out', out, '--num-workers', '1', '--no-resume',
            '--work-dir', osp.join(work, 'logs'), '--cfg-options',
            f'test_dataloader.dataset.data_root={data}']
    if nproc > 1:
        cmd += ['--launcher', 'pytorch']
    if scales:
        cmd += ['--scales'] + [f'{v:g}' for v in scales]
    if region:
        cmd += ['--region-weight', str(region['weight']), '--region-rule',
                region['rule']]
        cmd += ['--region-keep'] + region['keep'] if region['keep'] else []
    threads = threads or max(1, (os.cpu_count() or 1) // nproc)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               BENCH_POOL_JSON=osp.join(work, 'pooling.json'))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
    with open(osp.join(out, 'manifest.json')) as f:
        run = json.load(f)['runs'][-1]
    ranks = []
    for rank in range(nproc):
        path = osp.join(work, 'logs', f'pseudo_label_timing_rank{rank}.json')
        with open(path) as f:
            ranks.append(json.load(f))
    run.update(
        nproc=nproc,
        threads_per_process=threads,
        wall_with_startup=round(wall, 2),
        forward_seconds=sum(r['forward'] for r in ranks),
        iteration_seconds=sum(r['iterations'] for r in ranks),
        peak_rss_mb_max_rank=max(r['peak_rss_mb'] for r in ranks))
    run['pooling_seconds'] = 0.0
    for rank in range(nproc):
        with open(f"{env['BENCH_POOL_JSON']}.{rank}") as f:
            run['pooling_seconds'] += json.load(f)['pooling']
    return run


if __name__ == '__main__':
    timer_worker(sys.argv[1:])
