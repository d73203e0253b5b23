# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The main job on the built-in demo data: train, evaluate, print a table.

    python tools/demo.py [--quick] [--work-dir work_dirs/demo]

Every run is a plain ``tools/train.py`` + ``tools/test.py`` call on a config
under ``configs/demo``, exactly what a user would type; this script only
chains them and collects the metrics into one table (printed, and saved as
``results.md`` and ``results.json`` in the work dir).
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# (run name, config) pairs trained and evaluated by the demo.
RUNS = [
    ('FCN-R18-w16 (undistilled baseline)',
     'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'),
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
    return parser.parse_args()


def run(cmd: List[str]) -> None:
    """Run a command from the repository root, streaming its output."""
    print('\n$ ' + ' '.join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def schedule_options(iters: int) -> List[str]:
    """``--cfg-options`` that shorten a run to ``iters`` iterations."""
    interval = max(iters // 4, 1)
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={interval}',
        f'default_hooks.checkpoint.interval={interval}',
        f'param_scheduler.0.end={iters}'
    ]


def latest_metrics(work_dir: str) -> Dict[str, float]:
    """Metrics of the newest ``tools/test.py`` run in ``work_dir``."""
    files = sorted(glob.glob(osp.join(ROOT, work_dir, '*', '*.json')),
                   key=osp.getmtime)
    if not files:
        raise RuntimeError(f'no test results (*.json) under {work_dir}')
    with open(files[-1]) as f:
        return json.load(f)


def best_checkpoint(work_dir: str) -> str:
    """The ``save_best`` checkpoint of a run, else its last checkpoint."""
    best = glob.glob(osp.join(ROOT, work_dir, 'best_mIoU_*.pth'))
    if best:
        return best[0]
    with open(osp.join(ROOT, work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def train_and_test(name: str, config: str, args) -> Dict[str, float]:
    """Train one config, test its best checkpoint, return the metrics."""
    work_dir = osp.join(args.work_dir,
                        osp.splitext(osp.basename(config))[0])
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    iters = 200 if args.quick else args.iters
    if iters:
        cmd += ['--cfg-options'] + schedule_options(iters)
    run(cmd)
    run([sys.executable, 'tools/test.py', config, best_checkpoint(work_dir),
         '--work-dir', work_dir])
    return latest_metrics(work_dir)


def table(rows: List[Dict]) -> str:
    """A Markdown table of the runs."""
    lines = ['| run | config | mIoU | mAcc | aAcc |',
             '| --- | --- | ---: | ---: | ---: |']
    for r in rows:
        lines.append(f"| {r['run']} | `{osp.basename(r['config'])}` | "
                     f"{r.get('mIoU', float('nan')):.2f} | "
                     f"{r.get('mAcc', float('nan')):.2f} | "
                     f"{r.get('aAcc', float('nan')):.2f} |")
    return '\n'.join(lines)


def main():
    args = parse_args()
    rows = []
    for name, config in RUNS:
        metrics = train_and_test(name, config, args)
        rows.append(dict(run=name, config=config, **metrics))
    text = table(rows)
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    with open(osp.join(ROOT, args.work_dir, 'results.md'), 'w') as f:
        f.write(text + '\n')
    with open(osp.join(ROOT, args.work_dir, 'results.json'), 'w') as f:
        json.dump(rows, f, indent=2)
    print('\nDemo results (val split of demo_urban, single scale):\n' + text)


if __name__ == '__main__':
    main()
