# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Argument handling shared by ``tools/train.py``, ``tools/test.py`` and the
other command-line tools."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from mmseg_unify.utils.config_ref import read_config, resolve_teacher_cfgs

__all__ = ['add_common_args', 'load_config', 'read_config']


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add MMSeg's ``--work-dir``, ``--cfg-options`` and ``--launcher``."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs merged into the '
        'config, e.g. train_cfg.max_iters=100')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the common arguments.

    Args:
        args (argparse.Namespace): Parsed arguments of a parser that went
            through :func:`add_common_args` and has a ``config`` argument.

    Returns:
        Config: The config with ``launcher``, ``--cfg-options`` and
        ``work_dir`` (default ``./work_dirs/<config name>``) applied, and
        relative ``teacher_cfg`` paths that exist only next to the config
        file made absolute (see
        :func:`mmseg_unify.utils.config_ref.resolve_teacher_cfgs`).
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    for old, new in resolve_teacher_cfgs(cfg):
        print_log(f'teacher_cfg {old!r} is relative to the config file: '
                  f'using {new}', logger='current')
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
