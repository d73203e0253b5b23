# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Which checkpoint a path means: a file, or a training work dir's best or
last one."""
import glob
import os.path as osp


def resolve_checkpoint(path: str) -> str:
    """A checkpoint file, or the best/last checkpoint of a work dir.

    Args:
        path (str): A checkpoint file, or a training work dir: its newest
            ``best_*.pth`` (``save_best``), else the checkpoint named in its
            ``last_checkpoint`` file.

    Returns:
        str: The checkpoint file (URLs are returned unchanged).

    Raises:
        FileNotFoundError: If a work dir holds no checkpoint.
    """
    if not osp.isdir(path):
        return path
    best = sorted(glob.glob(osp.join(glob.escape(path), 'best_*.pth')),
                  key=osp.getmtime)
    if best:
        return best[-1]
    last = osp.join(path, 'last_checkpoint')
    if osp.isfile(last):
        with open(last) as f:
            return f.read().strip()
    raise FileNotFoundError(
        f'work dir {path} holds no best_*.pth and no last_checkpoint; train '
        'it first or give a checkpoint file')
