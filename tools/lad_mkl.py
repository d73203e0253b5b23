# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Teacher stability (mKL ×100, LAD paper Tab. 8) of a LAD teacher checkpoint.

    python tools/lad_mkl.py CONFIG CHECKPOINT [--k 5] [--num-images 50]

Runs the teacher K times on each validation image with independently noised
labels and prints the mean pairwise KL divergence ×100 (lower: more stable).
"""
import argparse

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmengine.config import Config
from mmengine.runner import Runner, load_checkpoint
from mmengine.utils import ProgressBar

from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.evaluation.mkl import teacher_mkl


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--k', type=int, default=5, help='noised runs')
    parser.add_argument('--num-images', type=int, default=50)
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    loader_cfg = dict(cfg.val_dataloader, batch_size=1, num_workers=0,
                      persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg)
    n = min(args.num_images, len(loader))
    values, bar = [], ProgressBar(n)
    for i, data in enumerate(loader):
        if i == n:
            break
        values.append(teacher_mkl(model, data, args.k))
        bar.update()
    print(f'\nmKL x100 over {n} images, K={args.k}: '
          f'{sum(values) / len(values):.3f}')


if __name__ == '__main__':
    main()
