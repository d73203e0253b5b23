# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Teacher stability (mKL ×100, LAD paper Tab. 8) of a LAD teacher checkpoint.

    python tools/lad_mkl.py CONFIG CHECKPOINT [--k 5] [--num-images 50]
        [--work-dir DIR] [--cfg-options k=v ...] [--launcher pytorch]

    # several processes (GPUs, or CPU processes with gloo):
    torchrun --nproc_per_node=2 tools/lad_mkl.py CONFIG CKPT --launcher pytorch

CONFIG may also name a provided config (``mmseg_unify::lad/...py``).

Runs the teacher K times on each of the first ``--num-images`` validation
images with independently noised labels and prints the mean pairwise KL
divergence ×100 (lower: more stable). The teacher is loaded strictly: a
checkpoint that does not fit the config is an error. With a launcher, rank
``r`` of ``w`` takes images ``r, r+w, ...`` and the mean is over all of them.
The result is also written to ``WORK_DIR/mkl.json``.
"""
import argparse
import json
import os
import os.path as osp

import torch
from mmengine.dist import all_reduce, get_dist_info, init_dist
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.evaluation.mkl import teacher_mkl
from mmseg_unify.models.teacher import load_teacher_weights
from mmseg_unify.utils.cli import add_common_args, load_config
from mmseg_unify.utils.label_io import write_json_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the LAD teacher config (a path or '
                        'mmseg_unify::lad/...py)')
    parser.add_argument('checkpoint', help='its checkpoint file')
    parser.add_argument(
        '--k', type=int, default=5,
        help='noised runs per image (pairs: K*(K-1)/2; default 5)')
    parser.add_argument(
        '--num-images', type=int, default=50,
        help='validation images to use, from the start (default 50)')
    add_common_args(parser)
    args = parser.parse_args(argv)
    if args.k < 2:
        parser.error(f'--k must be at least 2 (pairs of runs), got {args.k}')
    if args.num_images < 1:
        parser.error(f'--num-images must be >= 1, got {args.num_images}')
    return args


def setup_distributed(launcher: str) -> None:
    """Start the process group of a launched run (gloo without CUDA)."""
    if launcher == 'none':
        return
    backend = 'nccl' if torch.cuda.is_available() else 'gloo'
    init_dist(launcher, backend=backend)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args)  # --cfg-options, --work-dir, teacher refs
    setup_distributed(args.launcher)
    rank, world = get_dist_info()
    model = MODELS.build(cfg.model)
    load_teacher_weights(model, args.checkpoint, args.config)
    if torch.cuda.is_available() and args.launcher != 'none':
        model = model.cuda()
    loader = Runner.build_dataloader(dict(
        cfg.val_dataloader, batch_size=1, num_workers=0,
        persistent_workers=False))
    n = min(args.num_images, len(loader))
    mine = range(rank, n, world)
    total = torch.zeros(2, dtype=torch.float64)  # sum, count
    bar = ProgressBar(len(mine)) if rank == 0 else None
    for i, data in enumerate(loader):
        if i >= n:
            break
        if i % world != rank:
            continue
        total += torch.tensor([teacher_mkl(model, data, args.k), 1.0],
                              dtype=torch.float64)
        if bar is not None:
            bar.update()
    all_reduce(total)
    value = float(total[0] / total[1])
    if rank == 0:
        print(f'\nmKL x100 over {int(total[1])} images, K={args.k}: '
              f'{value:.3f}')
        os.makedirs(cfg.work_dir, exist_ok=True)
        write_json_atomic(
            osp.join(cfg.work_dir, 'mkl.json'),
            dict(config=args.config, checkpoint=args.checkpoint, k=args.k,
                 images=int(total[1]), mkl_x100=value))
    return value


if __name__ == '__main__':
    main()
