# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Distributed runs on CPU-only machines (torchrun + gloo).

mmengine 0.10.7 initialises a ``--launcher pytorch`` run with
``torch.cuda.set_device(LOCAL_RANK)`` and wraps the model in DDP with
``device_ids=[LOCAL_RANK]``; both fail without CUDA. The runner skips its own
initialisation when a process group already exists, so the tools call
:func:`prepare_cpu_distributed` first.
"""
import datetime
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def prepare_cpu_distributed(cfg: Config) -> None:
    """Initialise a gloo process group for a CPU ``pytorch`` launch.

    Does nothing when CUDA is available, when the launcher is not
    ``pytorch`` or when a process group exists already.

    Args:
        cfg (Config): The run's config; ``cfg.launcher`` must be set. Its
            ``env_cfg.dist_cfg.backend`` must be ``'gloo'`` and
            ``model_wrapper_cfg.device_ids`` is set to ``None``.

    Raises:
        ValueError: If the config asks for another backend than gloo.
    """
    if cfg.get('launcher') != 'pytorch' or torch.cuda.is_available() \
            or torch_dist.is_initialized():
        return
    dist_cfg = cfg.get('env_cfg', {}).get('dist_cfg', {})
    backend = dist_cfg.get('backend', 'nccl')
    if backend != 'gloo':
        raise ValueError(
            f'{cfg.filename}: env_cfg.dist_cfg.backend is {backend!r}, but '
            'this machine has no CUDA; distributed CPU runs need '
            "--cfg-options env_cfg.dist_cfg.backend=gloo")
    timeout = datetime.timedelta(seconds=dist_cfg.get('timeout', 1800))
    torch_dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        timeout=timeout)
    wrapper = dict(cfg.get('model_wrapper_cfg') or
                   dict(type='MMDistributedDataParallel'))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
