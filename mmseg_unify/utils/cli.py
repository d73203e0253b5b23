# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Argument handling shared by ``tools/train.py``, ``tools/test.py`` and the
other command-line tools."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


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


def read_config(path: str) -> Config:
    """Read a config file, or one of MMSeg's as ``mmseg::path/in/mmseg.py``.

    Args:
        path (str): The config.

    Returns:
        Config: The whole config.
    """
    if '::' in path:
        from mmengine.hub import get_config
        return get_config(path)
    return Config.fromfile(path)


def load_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the common arguments.

    Args:
        args (argparse.Namespace): Parsed arguments of a parser that went
            through :func:`add_common_args` and has a ``config`` argument.

    Returns:
        Config: The config with ``launcher``, ``--cfg-options`` and
        ``work_dir`` (default ``./work_dirs/<config name>``) applied.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
