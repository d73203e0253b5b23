# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Build a frozen teacher segmentor from a config file and a checkpoint."""
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from mmseg.registry import MODELS
from mmseg_unify.utils.checkpoint_paths import resolve_checkpoint
from mmseg_unify.utils.config_ref import read_config


class TeacherCheckpointError(ValueError):
    """A teacher checkpoint does not fit the teacher config."""


def load_teacher_config(path: str) -> Config:
    """Read a teacher config from a config reference.

    Args:
        path (str): ``mmseg_unify::lad/x.py`` (a config of this package),
            ``mmseg::x/y.py`` (one of MMSeg's), an absolute path (also what
            ``{{fileDirname}}/x.py`` in a config file becomes) or a path
            relative to the current directory (the tools first rewrite paths
            relative to the naming config's folder to absolute ones); see
            :func:`mmseg_unify.utils.config_ref.resolve_config_ref`.

    Returns:
        Config: The whole teacher config (its ``model`` builds the teacher).

    Raises:
        FileNotFoundError: If ``path`` names no file, listing where it was
            looked for.
    """
    return read_config(path)


def _state_dict_of(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The model weights of a checkpoint, without DDP's ``module.`` prefix."""
    state = checkpoint.get('state_dict', checkpoint)
    return {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state.items()
    }


def _mismatches(model: nn.Module,
                state: Dict[str, torch.Tensor]) -> Tuple[List[str], ...]:
    """Missing keys, unexpected keys and shape mismatches of ``state``."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = sorted(
        f'{k}: checkpoint {tuple(state[k].shape)} vs model '
        f'{tuple(own[k].shape)}' for k in set(own) & set(state)
        if own[k].shape != state[k].shape)
    return missing, unexpected, shapes


def _short(items: List[str], limit: int = 8) -> str:
    more = f' ... and {len(items) - limit} more' if len(items) > limit else ''
    return ', '.join(items[:limit]) + more


def load_teacher_weights(teacher: nn.Module, checkpoint: str,
                         config: str) -> None:
    """Load ``checkpoint`` into ``teacher``, refusing any mismatch.

    Unlike mmengine's default (which skips mismatched keys with a warning),
    a teacher must be exactly the network that was trained.

    Args:
        teacher (nn.Module): The teacher segmentor.
        checkpoint (str): Checkpoint path or URL understood by mmengine.
        config (str): The teacher config path, for error messages.

    Raises:
        TeacherCheckpointError: Naming the missing and unexpected keys and
            the shape mismatches.
    """
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = _state_dict_of(ckpt)
    missing, unexpected, shapes = _mismatches(teacher, state)
    if missing or unexpected or shapes:
        raise TeacherCheckpointError(
            f'teacher checkpoint {checkpoint} does not fit the teacher config '
            f'{config} ({type(teacher).__name__}): '
            f'missing keys [{_short(missing)}]; '
            f'unexpected keys [{_short(unexpected)}]; '
            f'shape mismatches [{_short(shapes)}]')
    teacher.load_state_dict(state, strict=True)


def build_frozen_teacher(config: str, checkpoint: str = None) -> nn.Module:
    """Build the teacher of a distiller: weights loaded, frozen, eval mode.

    Args:
        config (str): Teacher config reference (see
            :func:`load_teacher_config`).
        checkpoint (str, optional): Teacher checkpoint, or the teacher's
            work dir (see :func:`resolve_checkpoint`). ``None`` keeps the
            random initialisation (tests, smoke runs) and says so loudly.

    Returns:
        nn.Module: The teacher, with ``requires_grad=False`` everywhere.
    """
    cfg = load_teacher_config(config)
    teacher = MODELS.build(cfg.model)
    if checkpoint is None:
        from mmengine.logging import print_log
        print_log(f'CWDDistiller: no teacher checkpoint given for {config}; '
                  'the teacher keeps random weights.', logger='current',
                  level=30)
    else:
        load_teacher_weights(teacher, resolve_checkpoint(checkpoint), config)
    teacher.requires_grad_(False)
    return teacher.eval()
