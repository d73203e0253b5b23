# Copyright (c) mmseg-unify contributors. All rights reserved.
"""GPU smoke run of the LAD demo: AMP, DDP, TTA pseudo-labels, timings.

    python tools/gpu_smoke.py [--gpus N] [--teacher-iters 300]
        [--student-iters 300] [--images 50] [--work-dir work_dirs/gpu_smoke]
        [--data-root data/demo] [--dry-run]
    bash tools/gpu_smoke.sh ...   # the same, with the checkout's venv

On a CUDA machine, with ``torchrun`` on all visible GPUs (NCCL) and
``--amp``: trains the demo LAD teacher, then the LAD student distilled from
it, pseudo-labels ``--images`` demo_coarse images with the LAD teacher and
full TTA (``tools/pseudo_label.py``), then checks that every logged loss is
finite, that teacher and student predict (C, H, W) logits and (H, W) labels
of each image's size and that every pseudo-label PNG has its image's size
and only class ids or 255; last it times the dual-path step
(``benchmarks/bench_dual_path.py``, one GPU) and prints a table: ms/iter of
both trainings, dual-path / plain ratios (two-pass and batched) and
pseudo-labelling images/s. Results: ``WORK_DIR/gpu_smoke.json``; exit status
1 if a check fails.

``--dry-run`` is the same chain on CPU (GPUs hidden) with tiny iteration
counts, 2 gloo processes, no AMP, one TTA scale: it tests the script, its
timings are no GPU numbers.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEACHER = ('configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_'
           'demo-urban-128x128.py')
STUDENT = ('configs/lad/lad-student_fcn_r18-w16-d8_lad-teacher-fcn-r18-w16_'
           '1xb4-1k_demo-urban-128x128.py')
PLAIN_STUDENT = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
EXTRA = 'configs/unify/datasets/demo_coarse_extra.py'
BENCH = osp.join(ROOT, 'benchmarks', 'bench_dual_path.py')
TIMER = osp.join(ROOT, 'benchmarks', 'pseudo_label_timer.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--gpus', type=int, help='processes (default: all '
                        'visible GPUs; 2 with --dry-run)')
    parser.add_argument('--teacher-iters', type=int, help='default 300 '
                        '(2 with --dry-run)')
    parser.add_argument('--student-iters', type=int, help='default 300 '
                        '(2 with --dry-run)')
    parser.add_argument('--images', type=int, help='demo_coarse images to '
                        'pseudo-label (default 50; 2 with --dry-run)')
    parser.add_argument('--work-dir', default='work_dirs/gpu_smoke')
    parser.add_argument('--data-root', default='data/demo',
                        help='demo data root (generated on first use)')
    parser.add_argument('--dry-run', action='store_true',
                        help='CPU, gloo, tiny counts, no AMP (tests)')
    args = parser.parse_args(argv)
    dry = args.dry_run
    if not dry:
        import torch
        if not torch.cuda.is_available():
            parser.error('no CUDA device is visible: this is the GPU smoke '
                         'run; use --dry-run on a CPU machine')
        count = torch.cuda.device_count()
        if args.gpus and args.gpus > count:
            parser.error(f'--gpus {args.gpus}: only {count} GPUs visible')
        args.gpus = args.gpus or count
    for key, full, tiny in (('gpus', None, 2), ('teacher_iters', 300, 2),
                            ('student_iters', 300, 2), ('images', 50, 2)):
        if getattr(args, key) is None:
            setattr(args, key, tiny if dry else full)
        if getattr(args, key) < 1:
            parser.error(f"--{key.replace('_', '-')} must be >= 1, got "
                         f'{getattr(args, key)}')
    return args


def environment(args) -> dict:
    """Subprocess environment: GPUs hidden in a dry run, repo importable."""
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    if args.dry_run:
        env['CUDA_VISIBLE_DEVICES'] = ''
        env.setdefault('OMP_NUM_THREADS', '1')
    return env


def call(cmd, args) -> float:
    """Run ``cmd`` from the repository root; return its wall seconds."""
    print('$ ' + ' '.join(cmd), flush=True)
    start = time.time()
    subprocess.run(cmd, cwd=ROOT, env=environment(args), check=True)
    return time.time() - start


def torchrun(args, script, *rest):
    """A ``torchrun --standalone`` command (a free port, no clashes)."""
    return [sys.executable, '-m', 'torch.distributed.run', '--standalone',
            f'--nproc_per_node={args.gpus}', script, *rest,
            '--launcher', 'pytorch']


def train_options(args, iters: int) -> list:
    """``--cfg-options`` of a smoke training of ``iters`` iterations."""
    data = osp.join(osp.abspath(args.data_root), 'demo_urban')
    opts = [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}',
            f'param_scheduler.0.end={iters}',
            f'default_hooks.logger.interval={1 if args.dry_run else 10}',
            f'train_dataloader.dataset.data_root={data}',
            f'val_dataloader.dataset.data_root={data}',
            'env_cfg.dist_cfg.backend=' + ('gloo' if args.dry_run else 'nccl')]
    if args.dry_run:
        opts += [f'{k}.{v}' for k in ('train_dataloader', 'val_dataloader')
                 for v in ('num_workers=0', 'persistent_workers=False')]
        opts.append('val_dataloader.dataset.indices=2')
    return opts


def scalars(work_dir: str) -> list:
    """The logged training scalars of the newest run in ``work_dir``."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')), key=osp.getmtime)
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    with open(files[-1]) as f:
        return [row for row in map(json.loads, f) if 'loss' in row]


def loss_check(rows: list, name: str) -> dict:
    """Every logged ``loss*`` value finite (NaN/inf show in window means)."""
    bad = [(r.get('iter'), k, v) for r in rows for k, v in r.items()
           if 'loss' in k and not math.isfinite(v)]
    return dict(check=f'{name}: {len(rows)} logged steps, losses finite',
                ok=bool(rows) and not bad, detail=str(bad[:3]) if bad else '')


def ms_per_iter(rows: list) -> float:
    """Median logged iteration time (ms), the first window left out."""
    times = [r['time'] for r in rows if 'time' in r]
    return 1000 * statistics.median(times[1:] or times)


def output_check(config, checkpoint, data_root, name) -> dict:
    """Predict 2 val images: logits (C, H, W), labels (H, W) of each image."""
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    from mmseg_unify.models.teacher import load_teacher_weights
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(osp.join(ROOT, config))
    model = MODELS.build(cfg.model)
    load_teacher_weights(model, checkpoint, config)
    loader = Runner.build_dataloader(dict(
        cfg.val_dataloader, batch_size=1, num_workers=0,
        persistent_workers=False, dataset=dict(
            cfg.val_dataloader.dataset, indices=2,
            data_root=osp.join(osp.abspath(data_root), 'demo_urban'))))
    num = cfg.model.decode_head.num_classes
    problems = []
    model.eval()
    with torch.no_grad():
        for data in loader:
            out = model.test_step(data)[0]
            h, w = out.metainfo['ori_shape']
            if tuple(out.seg_logits.data.shape) != (num, h, w) or tuple(
                    out.pred_sem_seg.data.shape) != (1, h, w):
                problems.append(f'{out.img_path}: logits '
                                f'{tuple(out.seg_logits.data.shape)}')
            if not torch.isfinite(out.seg_logits.data).all():
                problems.append(f'{out.img_path}: non-finite logits')
    return dict(check=f'{name}: (C={num}, H, W) logits, (H, W) labels',
                ok=not problems, detail='; '.join(problems))


def label_check(out_dir, img_dir, num_classes=12) -> dict:
    """Every pseudo-label PNG: its image's size, ids < C or 255."""
    from PIL import Image
    files = sorted(glob.glob(osp.join(out_dir, '**', '*.png'),
                             recursive=True))
    problems = []
    for path in files:
        label = np.asarray(Image.open(path))
        rel = osp.relpath(path, out_dir)
        w, h = Image.open(osp.join(img_dir, rel)).size
        ids = set(np.unique(label).tolist()) - set(range(num_classes)) - {255}
        if label.shape != (h, w) or ids:
            problems.append(f'{rel}: shape {label.shape} vs {(h, w)}, '
                            f'ids {sorted(ids)[:5]}')
    return dict(check=f'pseudo-labels: {len(files)} PNGs, image sizes, ids',
                ok=bool(files) and not problems, detail='; '.join(problems))


def pseudo_label_rate(work_dir: str, seconds: float, images: int) -> tuple:
    """Images/s from the timer's per-rank files, else from the wall time."""
    ranks = glob.glob(osp.join(work_dir, 'pseudo_label_timing_rank*.json'))
    if not ranks:
        return images / seconds, 'wall time of the whole command'
    rows = [json.load(open(p)) for p in ranks]
    return (sum(r['images'] for r in rows) / max(r['seconds'] for r in rows),
            f'test loop of {len(rows)} ranks')


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmseg_unify.utils.checkpoint_paths import resolve_checkpoint
    from mmseg_unify.utils.label_io import write_json_atomic
    from mmseg_unify.utils.progress import Progress
    work = osp.abspath(args.work_dir)
    mode = ('DRY RUN on CPU (gloo, no AMP): timings are not GPU numbers'
            if args.dry_run else f'{args.gpus} GPU(s), NCCL, AMP')
    print(f'[gpu smoke] {mode}', flush=True)
    amp = [] if args.dry_run else ['--amp']
    progress, seconds = Progress(5), {}
    progress.announce(f'LAD teacher, {args.teacher_iters} iterations')
    seconds['teacher'] = call(torchrun(
        args, 'tools/train.py', TEACHER, *amp, '--work-dir', f'{work}/teacher',
        '--cfg-options', *train_options(args, args.teacher_iters)), args)
    progress.finish()
    teacher_ckpt = resolve_checkpoint(f'{work}/teacher')
    progress.announce(f'LAD student, {args.student_iters} iterations')
    seconds['student'] = call(torchrun(
        args, 'tools/train.py', STUDENT, *amp, '--work-dir', f'{work}/student',
        '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
        *train_options(args, args.student_iters)), args)
    progress.finish()
    progress.announce(f'pseudo-labels of {args.images} images, TTA')
    coarse = osp.join(osp.abspath(args.data_root), 'demo_coarse')
    script = TIMER if osp.isfile(TIMER) else 'tools/pseudo_label.py'
    scales = ['--scales', '1.0'] if args.dry_run else []
    seconds['pseudo'] = call(torchrun(
        args, script, TEACHER, teacher_ckpt, '--extra', EXTRA, '--out',
        f'{work}/pseudo_labels', '--no-resume', '--work-dir',
        f'{work}/pseudo_label_run', '--num-workers', '0', *scales,
        '--cfg-options', f'test_dataloader.dataset.data_root={coarse}',
        f'test_dataloader.dataset.indices={args.images}'), args)
    progress.finish()
    progress.announce('checks: losses, output shapes, pseudo-labels')
    rows = {k: scalars(f'{work}/{k}') for k in ('teacher', 'student')}
    checks = [loss_check(rows[k], k) for k in rows] + [
        output_check(TEACHER, teacher_ckpt, args.data_root, 'teacher'),
        output_check(PLAIN_STUDENT, resolve_checkpoint(f'{work}/student'),
                     args.data_root, 'student'),
        label_check(f'{work}/pseudo_labels',
                    osp.join(coarse, 'img_dir', 'train'))]
    progress.finish()
    progress.announce('dual-path step vs plain (benchmarks/bench_dual_path)')
    ratios = {}
    if osp.isfile(BENCH):
        bench = (['--device', 'cpu', '--batch', '1', '--size', '64', '64',
                  '--repeats', '1', '--warmup', '0', '--threads', '1']
                 if args.dry_run else ['--device', 'cuda', '--batch', '8',
                                       '--size', '256', '256'])
        call([sys.executable, BENCH, *bench, '--json', f'{work}/bench.json'],
             args)
        with open(f'{work}/bench.json') as f:
            ratios = {r['name']: r['value'] for r in json.load(f)['ratios']}
    progress.finish()
    rate, how = pseudo_label_rate(f'{work}/pseudo_label_run',
                                  seconds['pseudo'], args.images)
    timing = [
        (f'LAD teacher train ms/iter ({args.gpus} proc)',
         ms_per_iter(rows['teacher'])),
        (f'LAD student train ms/iter ({args.gpus} proc)',
         ms_per_iter(rows['student'])),
        *[(f'{name} (1 device, fp32)', v) for name, v in ratios.items()],
        (f'pseudo-labelling images/s ({how})', rate)]
    print(f'\n### GPU smoke run: {mode}\n\n| check | ok | detail |\n'
          '| --- | --- | --- |')
    for c in checks:
        print(f"| {c['check']} | {'yes' if c['ok'] else 'NO'} | "
              f"{c['detail'] or '-'} |")
    print('\n| timing | value |\n| --- | ---: |')
    for name, value in timing:
        print(f'| {name} | {value:.3f} |')
    result = dict(mode=mode, dry_run=args.dry_run, gpus=args.gpus,
                  checks=checks, timing=dict(timing), seconds=seconds)
    write_json_atomic(f'{work}/gpu_smoke.json', result)
    ok = all(c['ok'] for c in checks)
    print(f"\n[gpu smoke] {'all checks passed' if ok else 'CHECKS FAILED'}; "
          f'{work}/gpu_smoke.json')
    if not ok:
        raise SystemExit(1)
    return result


if __name__ == '__main__':
    main()
