# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Segmentors and synthetic batches for the timing scripts.

No dataset and no trained weights are needed: a speed does not depend on
what the weights are, and the batches are random images with random labels
in the shape the data pipeline would deliver (already cropped to the
network input).
"""
import copy
import os.path as osp
from typing import Callable, Sequence

import torch
from mmengine.config import Config, ConfigDict

from common import ROOT


def load_config(path: str) -> Config:
    """A config: a reference such as ``mmseg_unify::lad/x.py`` or
    ``mmseg::x/y.py``, an absolute path, or a path relative to the
    repository root."""
    import mmseg_unify  # noqa: F401  (registers our components)
    from mmseg.utils import register_all_modules
    from mmseg_unify.utils.config_ref import read_config
    register_all_modules(init_default_scope=True)
    if '::' in path or osp.isabs(path):
        return read_config(path)
    return Config.fromfile(osp.join(ROOT, path))


def synthetic_batch(batch: int,
                    size: Sequence[int],
                    num_classes: int,
                    seed: int = 0) -> dict:
    """A collated training batch as MMSeg's dataloader yields it.

    Args:
        batch (int): Number of images.
        size (Sequence[int]): (H, W) of the images and labels.
        num_classes (int): Labels are drawn from ``0..num_classes - 1``,
            with an ignored (255) block in the corner of each label.
        seed (int): Seed of the draw.

    Returns:
        dict: ``inputs`` (list of (3, H, W) uint8 tensors) and
        ``data_samples`` (list of ``SegDataSample`` with ``gt_sem_seg``).
    """
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(seed)
    h, w = size
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(
            torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8))
        label = torch.randint(0, num_classes, (1, h, w), generator=g)
        label[:, :h // 8, :w // 8] = 255
        sample = SegDataSample(gt_sem_seg=PixelData(data=label))
        sample.set_metainfo(dict(img_shape=(h, w), ori_shape=(h, w)))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def set_input_size(model_cfg: ConfigDict, size: Sequence[int]) -> None:
    """Make a segmentor config's data preprocessor pad to ``size``."""
    model_cfg.data_preprocessor.size = tuple(size)


def build_segmentor(model_cfg: ConfigDict, device: str = 'cpu',
                    seed: int = 0) -> torch.nn.Module:
    """Build a segmentor from a seed, on ``device``, in training mode.

    The weights keep their construction-time values (``init_weights`` is
    not called: it only logs here, as no config of ours names pretrained
    weights, and a speed does not depend on the weights).
    """
    from mmseg.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(model_cfg)).to(device)
    return model.train()


def train_step_fn(model: torch.nn.Module, optim_wrapper_cfg: dict,
                  data: dict) -> Callable[[], dict]:
    """One whole training step of ``model`` on ``data``, as a callable.

    The step is mmengine's ``model.train_step``: data preprocessing,
    forward, loss, backward and optimizer step (the optimizer of the config
    that ``optim_wrapper_cfg`` comes from).
    """
    from mmengine.optim import build_optim_wrapper
    optim_wrapper = build_optim_wrapper(model,
                                        copy.deepcopy(optim_wrapper_cfg))

    def step() -> dict:
        return model.train_step(data, optim_wrapper)

    return step
