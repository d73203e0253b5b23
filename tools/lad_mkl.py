# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Teacher stability (mKL ×100, LAD paper Tab. 8) of a LAD teacher checkpoint.

    python tools/lad_mkl.py CONFIG CHECKPOINT [--k 5] [--num-images 50]

CONFIG may also name a provided config (``mmseg_unify::lad/...py``).

Runs the teacher K times on each validation image with independently noised
labels and prints the mean pairwise KL divergence ×100 (lower: more stable).
"""
import argparse

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.evaluation.mkl import teacher_mkl
from mmseg_unify.models.teacher import load_teacher_weights
from mmseg_unify.utils.config_ref import read_config, resolve_teacher_cfgs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the LAD teacher config')
    parser.add_argument('checkpoint')
    parser.add_argument('--k', type=int, default=5, help='noised runs')
    parser.add_argument('--num-images', type=int, default=50)
    args = parser.parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = read_config(args.config)
    resolve_teacher_cfgs(cfg)  # a teacher_cfg relative to CONFIG's folder
    model = MODELS.build(cfg.model)
    # strict: a checkpoint that does not fit the config is an error
    load_teacher_weights(model, args.checkpoint, args.config)
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
