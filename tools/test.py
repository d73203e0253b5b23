# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Test a checkpoint: MMSeg's ``tools/test.py`` with mmseg_unify imported.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out DIR]
        [--show] [--show-dir DIR] [--wait-time S] [--tta]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmengine.runner import Runner
from mmseg_unify.utils.cli import add_common_args, load_config
from mmseg_unify.utils.dist import prepare_cpu_distributed


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a '
                                     'segmentor checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='directory to save the predicted label maps')
    parser.add_argument(
        '--show', action='store_true', help='show the predictions')
    parser.add_argument(
        '--show-dir', help='directory to save painted predictions in')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--tta', action='store_true', help='test-time augmentation')
    add_common_args(parser)
    return parser.parse_args()


def enable_visualization(cfg, args):
    """Turn on the ``SegVisualizationHook`` for ``--show`` / ``--show-dir``."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise RuntimeError('--show/--show-dir need a "visualization" entry '
                           "in default_hooks, e.g. dict(type="
                           "'SegVisualizationHook')")
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        cfg.visualizer['save_dir'] = args.show_dir


def main():
    args = parse_args()
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    prepare_cpu_distributed(cfg)
    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True
    Runner.from_cfg(cfg).test()


if __name__ == '__main__':
    main()
