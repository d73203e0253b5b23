# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The label noising module of LAD (paper §3.2, eq. 5), as plain functions.

For a batch of label maps ``y`` (B, H, W) with ``C`` classes:

* class-wise noise: a table ``alpha`` of shape (B, C + 1) is drawn, one value
  per class *per image* (slot ``C`` is the ignore/padding "class"), and every
  pixel of class ``k`` in image ``b`` gets ``alpha[b, k]`` (a gather, no loop
  over classes or pixels);
* pixel-wise noise: ``beta * eps`` with ``eps ~ N(0, 1)`` per pixel;
* the channel is multiplied by ``scale``.

Without class-wise noise (paper Tab. 9, right half) class ``k`` becomes
``2k / (C - 1) - 1`` (spread over [-1, 1] like a normalised image) and ignore
pixels ``-2``.
"""
from typing import Optional

import torch
from torch import Tensor

DISTRIBUTIONS = ('normal', 'uniform')


def sample_alphas(batch: int,
                  num_classes: int,
                  dist: str = 'normal',
                  std: float = 1.0,
                  low: float = -1.0,
                  high: float = 1.0,
                  device=None,
                  generator: Optional[torch.Generator] = None) -> Tensor:
    """Draw the class-wise noise table, one row per image.

    Args:
        batch (int): Number of images.
        num_classes (int): Number of classes ``C``; the table has ``C + 1``
            columns, the last one for ignore/padding pixels.
        dist (str): ``'normal'`` (mean 0, ``std``) or ``'uniform'``
            (``low``..``high``).
        std (float): Standard deviation of the normal distribution.
        low (float): Lower bound of the uniform distribution.
        high (float): Upper bound of the uniform distribution.
        device (torch.device, optional): Device of the table.
        generator (torch.Generator, optional): Random generator.

    Returns:
        Tensor: (batch, num_classes + 1) float table.
    """
    shape = (batch, num_classes + 1)
    if dist == 'normal':
        return torch.randn(shape, device=device, generator=generator) * std
    if dist == 'uniform':
        u = torch.rand(shape, device=device, generator=generator)
        return low + (high - low) * u
    raise ValueError(f'label noise: alpha distribution must be one of '
                     f'{DISTRIBUTIONS}, got {dist!r}')


def class_slots(labels: Tensor, num_classes: int,
                ignore_index: int = 255) -> Tensor:
    """Map labels to table columns: classes to ``0..C-1``, ignore to ``C``.

    Raises:
        ValueError: For a value that is neither a class nor ``ignore_index``.
    """
    slots = labels.long()
    ignore = slots == ignore_index
    bad = ~ignore & ((slots < 0) | (slots >= num_classes))
    if bad.any():
        values = torch.unique(slots[bad]).tolist()[:10]
        raise ValueError(
            f'label noise: label values {values} are neither classes '
            f'0..{num_classes - 1} nor the ignore index {ignore_index}')
    return torch.where(ignore, torch.full_like(slots, num_classes), slots)


def noise_labels(labels: Tensor,
                 num_classes: int,
                 ignore_index: int = 255,
                 class_wise: bool = True,
                 pixel_wise: bool = True,
                 beta: float = 0.01,
                 scale: float = 1.0,
                 alphas: Optional[Tensor] = None,
                 alpha_cfg: Optional[dict] = None,
                 generator: Optional[torch.Generator] = None) -> Tensor:
    """Build the noised label channel of a batch.

    Args:
        labels (Tensor): (B, H, W) or (B, 1, H, W) integer labels.
        num_classes (int): Number of classes ``C``.
        ignore_index (int): Label of ignored and padded pixels.
        class_wise (bool): Apply class-wise noise. Default: True.
        pixel_wise (bool): Add ``beta * N(0, 1)`` per pixel. Default: True.
        beta (float): Pixel noise level (paper: 0.01).
        scale (float): Multiplier of the whole channel.
        alphas (Tensor, optional): A fixed class-wise table, (C + 1,) shared
            by all images or (B, C + 1). Drawn afresh when ``None``.
        alpha_cfg (dict, optional): Keyword arguments of
            :func:`sample_alphas` (``dist``, ``std``, ``low``, ``high``).
        generator (torch.Generator, optional): Random generator.

    Returns:
        Tensor: (B, 1, H, W) float channel.
    """
    if labels.dim() == 4:
        labels = labels[:, 0]
    b = labels.shape[0]
    slots = class_slots(labels, num_classes, ignore_index)
    if class_wise:
        if alphas is None:
            alphas = sample_alphas(b, num_classes, device=labels.device,
                                   generator=generator, **(alpha_cfg or {}))
        table = alphas.to(labels.device, torch.float32).expand(
            b, num_classes + 1)
        channel = torch.gather(table, 1, slots.reshape(b, -1))
        channel = channel.reshape(labels.shape)
    else:
        channel = 2.0 * slots.float() / max(num_classes - 1, 1) - 1.0
        channel[slots == num_classes] = -2.0
    if pixel_wise and beta:
        channel = channel + beta * torch.randn(
            channel.shape, device=channel.device, generator=generator)
    return (channel * scale).unsqueeze(1)
