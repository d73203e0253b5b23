# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Train a segmentor: MMSeg's ``tools/train.py`` with mmseg_unify imported.

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import logging

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmseg_unify.utils.checkpoint_paths import resolve_checkpoint
from mmseg_unify.utils.cli import add_common_args, load_config
from mmseg_unify.utils.dist import prepare_cpu_distributed


def parse_args():
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    add_common_args(parser)
    return parser.parse_args()


def enable_amp(cfg):
    """Switch the optimizer wrapper to mmengine's ``AmpOptimWrapper``."""
    wrapper = cfg.optim_wrapper.type
    if wrapper == 'AmpOptimWrapper':
        print_log('AMP is already enabled in the config.', logger='current',
                  level=logging.WARNING)
        return
    if wrapper != 'OptimWrapper':
        raise ValueError('--amp needs optim_wrapper.type == "OptimWrapper", '
                         f'the config has {wrapper!r}')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.loss_scale = 'dynamic'


def main():
    args = parse_args()
    cfg = load_config(args)
    if args.amp:
        enable_amp(cfg)
    cfg.resume = args.resume
    if cfg.get('load_from'):
        # a training work dir stands for its best (else last) checkpoint
        cfg.load_from = resolve_checkpoint(cfg.load_from)
    prepare_cpu_distributed(cfg)
    Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    main()
