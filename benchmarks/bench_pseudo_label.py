# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-labelling benchmark: throughput, time outside the network, memory.

    python benchmarks/bench_pseudo_label.py [--images 16] [--size 128 256]
        [--procs 1 2] [--no-large] [--scales S ...] [--region-weight 1]
        [--region-rule ambiguous-no-void] [--region-keep CLASS ...]
        [--json OUT]

Part 1 runs ``tools/pseudo_label.py`` (demo FCN-R18-w16 teacher with random
weights, the demo_split extra dataset, 7 scales x 2 flips, ontology priors)
on 1 process and on N processes (``torchrun``, gloo on CPU) and reports, from
the run's manifest: images/s (hook start to end, i.e. without process start
and model building), the share of process time *outside* the network's
forward passes (data loading with the 14 augmented copies, resizing, softmax
averaging, ontology, PNG writing), split into TTA/ontology and writing, and
the peak resident memory of the largest rank.

Part 2 pseudo-labels one 1920x1208 image with a 63-class teacher (the
Mapillary Vistas class count of the paper) at the same 14 augmentations, in
a fresh process each, with the direct resize (default) and MMSeg's route, and
reports the peak resident memory; for comparison it prints what holding all
14 augmented soft predictions at once (``SegTTAModel.merge_preds``'s input)
would take.

Part 3 (``--region-weight`` > 0, default 1) prices region pooling
(``docs/en/region_pooling.md``): a 1-process run of part 1 and the direct
route of part 2 with pooling, the time spent inside ``pool_regions_``
(component labelling, region means, blend) measured in the same run, as a
share of the whole run (target < 5 %). ``--region-keep`` names demo_urban
classes for part 1; the large case keeps as many of its classes (``s0``,
``s1``, ...), so that the extra argmax of the keep rule is priced too.
"""
import argparse
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import tempfile
import time

from common import (ROOT, environment, format_environment, markdown_table,
                    write_json)

TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
EXTRA = 'configs/unify/datasets/demo_split_extra.py'
SCALES = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument(
        '--size', type=int, nargs=2, default=[128, 256], help='H W')
    parser.add_argument('--procs', type=int, nargs='+', default=[1, 2])
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
        help='TTA scales of part 1 (default: the extra config\'s, 0.5..2)')
    parser.add_argument('--region-weight', type=float, default=1.0,
                        help='region pooling weight of part 3 (0: skip it)')
    parser.add_argument('--region-rule', default='ambiguous-no-void')
    parser.add_argument('--region-keep', nargs='+', default=[])
    parser.add_argument('--work-dir', help='default: a temporary folder')
    parser.add_argument('--json', help='write the results here too')
    parser.add_argument('--worker-large', nargs=2, metavar=('DIR', 'ROUTE'),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


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
    cmd += ['benchmarks/bench_pseudo_label.py', '--worker-timer', TEACHER,
            ckpt, '--extra', EXTRA,
            '--out', out, '--num-workers', '1', '--no-resume',
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


FORWARD_TARGET = 0.90  # share of process time in the network's forward


def throughput_summary(run: dict) -> dict:
    """Images/s and time shares of one run (manifest entry + timer)."""
    proc_seconds = run['seconds'] * run['nproc']
    return dict(
        images_per_s=run['written'] / run['seconds'],
        in_forward=run['forward_seconds'] / proc_seconds,
        tta_merge_ontology_writing=(run['iteration_seconds'] -
                                    run['forward_seconds']) / proc_seconds,
        data_loading=1 - run['iteration_seconds'] / proc_seconds)


def throughput_table(runs) -> str:
    """Markdown table of the throughput runs."""
    rows = []
    for r in runs:
        t = throughput_summary(r)
        rows.append([
            r['nproc'], r['threads_per_process'], r['written'],
            f"{t['images_per_s']:.2f}", f"{t['in_forward']:.1%}",
            f"{t['tta_merge_ontology_writing']:.1%}",
            f"{t['data_loading']:.1%}",
            f"{r['peak_rss_mb_max_rank']:.0f}",
            f"{r['wall_with_startup']:.1f}"
        ])
    return markdown_table([
        'processes', 'threads/proc', 'images', 'images/s',
        f'in forward (target >= {FORWARD_TARGET:.0%})',
        'TTA merge + ontology + writing', 'data loading + rest',
        'peak RSS/rank (MiB)',
        'wall incl. start (s)'
    ], rows)


LARGE_FORWARD_TARGET = 0.85
PEAK_TARGET_MB = 3000


def large_table(rows) -> str:
    """Markdown table of the large-image runs."""
    return markdown_table([
        'resize route', 'seconds', 'of which forward',
        f'in forward (target >= {LARGE_FORWARD_TARGET:.0%})',
        f'peak RSS (MiB, target <= {PEAK_TARGET_MB})',
        'RSS before the image (MiB)'
    ], [[r['route'], f"{r['seconds']:.1f}", f"{r['forward_seconds']:.1f}",
         f"{r['forward_seconds'] / r['seconds']:.1%}", r['peak_rss_mb'],
         r['baseline_rss_mb']] for r in rows])


POOLING_TARGET = 0.05  # share of a pseudo-labelling run


def pooling_table(rows) -> str:
    """Markdown table of the region pooling cost (part 3).

    Args:
        rows (list[dict]): ``case``, ``seconds`` (the run with pooling),
            ``pooling_seconds`` (inside it), ``plain_seconds`` (the same
            run without pooling, another process), ``peak_rss_mb`` and
            ``plain_peak_rss_mb``.
    """
    return markdown_table([
        'case', 'run with pooling (s)', 'of which pooling (s)',
        f'pooling share (target < {POOLING_TARGET:.0%})',
        'same run without pooling (s)', 'peak RSS with / without (MiB)'
    ], [[r['case'], f"{r['seconds']:.2f}", f"{r['pooling_seconds']:.3f}",
         f"{r['pooling_seconds'] / r['seconds']:.2%}",
         f"{r['plain_seconds']:.2f}",
         f"{r['peak_rss_mb']:.0f} / {r['plain_peak_rss_mb']:.0f}"]
        for r in rows])


def write_large_case(work, size, num_classes) -> str:
    """A large image, its raw label and a 63-class ontology map."""
    import cv2
    import numpy as np
    import yaml
    rng = np.random.default_rng(0)
    h, w = size
    case = osp.join(work, 'large')
    for sub in ('img', 'ann', 'maps', 'taxonomies'):
        os.makedirs(osp.join(case, sub), exist_ok=True)
    # smooth random image (a network sees structure, not white noise)
    small = rng.integers(0, 256, (h // 16, w // 16, 3), dtype=np.uint8)
    cv2.imwrite(osp.join(case, 'img', 'big.png'),
                cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))
    extra_ids = list(range(30))
    blocks = rng.choice(extra_ids, (h // 32, w // 32)).astype(np.uint8)
    cv2.imwrite(osp.join(case, 'ann', 'big.png'),
                cv2.resize(blocks, (w, h), interpolation=cv2.INTER_NEAREST))
    source = dict(name='bench_source', classes=[
        dict(id=i, name=f's{i}') for i in range(num_classes)])
    extra = dict(name='bench_extra', classes=[
        dict(id=i, name=f'e{i}', void=(i == 0)) for i in extra_ids])
    allowed = {}
    for i in extra_ids:
        picks = rng.choice(num_classes, int(rng.integers(0, 6)), False)
        allowed[f'e{i}'] = [f's{int(c)}' for c in picks] + (
            ['void'] if rng.random() < 0.3 else [])
    for name, data in (('taxonomies/bench_source.yaml', source),
                       ('taxonomies/bench_extra.yaml', extra),
                       ('maps/bench_extra_to_bench_source.yaml',
                        dict(extra='bench_extra', source='bench_source',
                             allowed=allowed))):
        with open(osp.join(case, name), 'w') as f:
            yaml.safe_dump(data, f)
    return case


def large_worker(case: str, route: str) -> None:
    """Runs in a fresh process: pseudo-label the large image once."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmseg.registry import DATASETS, MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    import mmseg_unify  # noqa: F401
    from mmseg_unify.models.tta import OntologyConstrainedTTAModel
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(ROOT, TEACHER))
    num_classes = int(os.environ['BENCH_CLASSES'])
    cfg.model.decode_head.num_classes = num_classes
    cfg.model.auxiliary_head.num_classes = num_classes
    teacher = MODELS.build(cfg.model).eval()
    from pseudo_label_timer import time_forwards
    times = dict(forward=0.0)
    time_forwards(teacher, times)
    region_weight = float(os.environ.get('BENCH_REGION_WEIGHT', 0))
    if region_weight > 0:
        timed_pooling(times)
    tta = OntologyConstrainedTTAModel(
        teacher,
        ontology=osp.join(case, 'maps', 'bench_extra_to_bench_source.yaml'),
        direct_resize=(route != 'mmseg'), region_weight=region_weight,
        region_rule=os.environ.get('BENCH_REGION_RULE',
                                   'ambiguous-no-void'),
        region_keep=[f's{i}' for i in range(
            int(os.environ.get('BENCH_REGION_KEEP', 0)))])
    extra_cfg = Config.fromfile(osp.join(ROOT, EXTRA))
    dataset = DATASETS.build(
        dict(type='BaseSegDataset', data_root=case,
             data_prefix=dict(img_path='img', seg_map_path='ann'),
             img_suffix='.png', seg_map_suffix='.png',
             pipeline=extra_cfg.tta_pipeline))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    batch = pseudo_collate([dataset[0]])
    load = time.perf_counter() - start
    out = tta.test_step(batch)[0]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(
        route=route, seconds=round(seconds, 2), load_seconds=round(load, 2),
        forward_seconds=round(times['forward'], 2),
        pooling_seconds=round(times.get('pooling', 0.0), 3),
        baseline_rss_mb=round(base), peak_rss_mb=round(peak),
        label_shape=list(out.pred_sem_seg.data.shape[1:]))))


def run_large(case, num_classes, threads=None, region=None) -> list:
    """Part 2 (and the large row of part 3): one fresh process per route;
    ``region`` (weight and rule) adds a direct route with pooling."""
    rows = []
    routes = ['direct', 'mmseg'] + (['direct+pool'] if region else [])
    for route in routes:
        env = dict(os.environ, BENCH_CLASSES=str(num_classes))
        if route == 'direct+pool':
            env.update(BENCH_REGION_WEIGHT=str(region['weight']),
                       BENCH_REGION_RULE=region['rule'],
                       BENCH_REGION_KEEP=str(len(region['keep'])))
        if threads:
            env['OMP_NUM_THREADS'] = str(threads)
        proc = subprocess.run(
            [sys.executable, osp.abspath(__file__), '--worker-large', case,
             route], cwd=ROOT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


def main(argv=None):
    """Run the benchmark; returns (and prints) its results."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ['--worker-timer']:
        timer_worker(argv[1:])
        return
    args = parse_args(argv)
    region = dict(weight=args.region_weight, rule=args.region_rule,
                  keep=args.region_keep) if args.region_weight > 0 else None
    if args.worker_large:
        large_worker(*args.worker_large)
        return
    work = args.work_dir or tempfile.mkdtemp(prefix='bench_pl_')
    os.makedirs(work, exist_ok=True)
    results = dict(environment=environment(), threads=args.threads)
    print(format_environment(results['environment']))

    from mmseg_unify.datasets.demo_data import generate_demo_data
    counts = dict(demo_urban=dict(train=1, val=1),
                  demo_coarse=dict(train=1, val=1),
                  demo_split=dict(train=args.images, val=1))
    root = generate_demo_data(osp.join(work, 'demo'), seed=0,
                              size=tuple(args.size), counts=counts)
    ckpt = make_teacher(work)
    data = osp.join(root, 'demo_split')
    runs = [
        run_tool(work, ckpt, data, n, args.threads, args.scales)
        for n in args.procs
    ]
    for run in runs:
        run.update(throughput_summary(run))
    results['throughput'] = runs
    scales = args.scales or SCALES
    print(f'\n### Pseudo-labelling throughput: {args.images} images of '
          f'{args.size[0]}x{args.size[1]}, FCN-R18-w16, 12 classes, '
          f'{len(scales)} scales x 2 flips, ontology priors\n')
    print(throughput_table(runs))
    pooling = []
    if region:
        pooled = run_tool(work, ckpt, data, 1, args.threads, args.scales,
                          region)
        plain = next((r for r in runs if r['nproc'] == 1), None) or \
            run_tool(work, ckpt, data, 1, args.threads, args.scales)
        pooling.append(dict(
            case=f'{args.images} demo_split images, {len(scales)} scales x '
            '2 flips, 1 process', seconds=pooled['seconds'],
            pooling_seconds=pooled['pooling_seconds'],
            plain_seconds=plain['seconds'],
            peak_rss_mb=pooled['peak_rss_mb_max_rank'],
            plain_peak_rss_mb=plain['peak_rss_mb_max_rank']))

    if not args.no_large:
        h, w = args.large_size
        case = write_large_case(work, (h, w), args.large_classes)
        rows = run_large(case, args.large_classes, args.threads, region)
        if region:
            pool_row = rows.pop()
            pooling.append(dict(
                case=f'one {w}x{h} image, {args.large_classes} classes, '
                f'{len(SCALES)} scales x 2 flips',
                seconds=pool_row['seconds'],
                pooling_seconds=pool_row['pooling_seconds'],
                plain_seconds=rows[0]['seconds'],
                peak_rss_mb=pool_row['peak_rss_mb'],
                plain_peak_rss_mb=rows[0]['peak_rss_mb']))
        results['large'] = rows
        all_at_once = 2 * len(SCALES) * args.large_classes * h * w * 4
        print(f'\n### One {w}x{h} image, {args.large_classes} classes, '
              f'{len(SCALES)} scales x 2 flips (fresh process each)\n')
        print(large_table(rows))
        print(f'\nAll 14 soft predictions at full resolution at once (what '
              f'SegTTAModel.merge_preds receives) would be '
              f'{all_at_once / 2**30:.1f} GiB of float32 alone.')
    if pooling:
        results['region_pooling'] = dict(region, rows=pooling)
        keep = f', keep {len(region["keep"])} classes' if region['keep'] \
            else ''
        print(f'\n### Region pooling (w={region["weight"]:g}, rule '
              f'{region["rule"]}{keep}): time inside pool_regions_ in the '
              'same run\n')
        print(pooling_table(pooling))
    write_json(args.json, results)
    return results


if __name__ == '__main__':
    main()
