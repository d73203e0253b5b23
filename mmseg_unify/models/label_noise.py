# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The label noising module of LAD (paper §3.2, eq. 5), as plain functions.

For a batch of label maps ``y`` (B, H, W) with ``C`` classes:

* class-wise noise: a table ``alpha`` of shape (B, C + 1) is drawn, one value
  per class *per image* (slot ``C`` is the ignore/padding "class"), and every
  pixel of class ``k`` in image ``b`` gets ``alpha[b, k]`` (a gather, no loop
  over classes or pixels);
* pixel-wise noise: ``beta * eps`` with ``eps ~ N(0, 1)`` per pixel;
* the channel is multiplied by ``scale``.

Users of these functions: :class:`LabelNoisingDataPreprocessor` (the teacher's
input, both paths of the dual-path teacher), the distiller (through the
teacher's preprocessor) and the mKL stability metric. A fixed, seeded table
(:func:`fixed_alpha_table`) replaces the per-image draws where wanted (the
official code distils with one).

Without class-wise noise (paper Tab. 9, right half) class ``k`` becomes
``2k / (C - 1) - 1`` (spread over [-1, 1] like a normalised image) and ignore
pixels ``-2``.

Class-wise noise needs only *which pixels share a label*, not what the label
means: :func:`noise_any_labels` draws one value per distinct id per image,
for label maps of any taxonomy (raw ids up to 16 bits and beyond; the ignore
value is just one more id with its own draw), e.g. an extra dataset's own
labels fed to a LAD teacher while it pseudo-labels.
"""
from typing import Optional, Tuple

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
    # Draw where the generator lives (a CPU generator for a CUDA batch).
    where = generator.device if generator is not None else device
    if dist == 'normal':
        table = torch.randn(shape, device=where, generator=generator) * std
    elif dist == 'uniform':
        u = torch.rand(shape, device=where, generator=generator)
        table = low + (high - low) * u
    else:
        raise ValueError(f'label noise: alpha distribution must be one of '
                         f'{DISTRIBUTIONS}, got {dist!r}')
    return table.to(device) if device is not None else table


def fixed_alpha_table(num_classes: int, seed: int = 0,
                      **alpha_cfg) -> Tensor:
    """One class-wise table shared by every image, drawn from a seed.

    Args:
        num_classes (int): Number of classes ``C``.
        seed (int): Seed of the draw; the same seed gives the same table on
            every machine and process.
        **alpha_cfg: ``dist``, ``std``, ``low``, ``high`` of
            :func:`sample_alphas`.

    Returns:
        Tensor: (C + 1,) table (last entry: ignore), for ``alphas`` of
        :func:`noise_labels`.
    """
    generator = torch.Generator().manual_seed(seed)
    return sample_alphas(1, num_classes, generator=generator, **alpha_cfg)[0]


def zero_channel(inputs: Tensor) -> Tensor:
    """The label channel of inference without labels: zeros, (B, 1, H, W)."""
    return inputs.new_zeros((inputs.shape[0], 1, *inputs.shape[-2:]))


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
        where = generator.device if generator is not None else channel.device
        eps = torch.randn(channel.shape, device=where, generator=generator)
        channel = channel + beta * eps.to(channel.device)
    return (channel * scale).unsqueeze(1)


def distinct_id_slots(labels: Tensor) -> Tuple[Tensor, Tensor]:
    """Number the distinct ids of each image of a batch.

    Args:
        labels (Tensor): (B, H, W) integer labels, any non-negative ids.

    Returns:
        tuple[Tensor, Tensor]: ``slots`` (B, H, W) long, the index of each
        pixel's (image, id) pair among all pairs of the batch, and ``image``
        (P,) long, the image of each pair (P pairs in all).
    """
    b = labels.shape[0]
    flat = labels.reshape(b, -1).long()
    span = int(flat.max()) + 1 if flat.numel() else 1
    keys = flat + span * torch.arange(b, device=flat.device)[:, None]
    pairs, slots = torch.unique(keys, return_inverse=True)
    return slots.reshape(labels.shape), torch.div(
        pairs, span, rounding_mode='floor')


def noise_any_labels(labels: Tensor,
                     pixel_wise: bool = True,
                     beta: float = 0.01,
                     scale: float = 1.0,
                     alpha_cfg: Optional[dict] = None,
                     generator: Optional[torch.Generator] = None) -> Tensor:
    """Class-wise (+ pixel-wise) noise for label maps of any taxonomy.

    Every distinct id of an image gets one value drawn from the same
    distribution as :func:`noise_labels` (``alpha_cfg``), independently per
    image and per call; so for a source-taxonomy map the channel has the
    same statistics as :func:`noise_labels` with class-wise noise.

    Args:
        labels (Tensor): (B, H, W) or (B, 1, H, W) non-negative integer ids.
        pixel_wise (bool): Add ``beta * N(0, 1)`` per pixel. Default: True.
        beta (float): Pixel noise level. Default: 0.01.
        scale (float): Multiplier of the whole channel. Default: 1.0.
        alpha_cfg (dict, optional): ``dist``, ``std``, ``low``, ``high`` of
            :func:`sample_alphas`.
        generator (torch.Generator, optional): Random generator.

    Returns:
        Tensor: (B, 1, H, W) float channel.

    Raises:
        ValueError: For negative ids.
    """
    if labels.dim() == 4:
        labels = labels[:, 0]
    if labels.numel() and int(labels.min()) < 0:
        raise ValueError(f'label noise: negative label id '
                         f'{int(labels.min())}; ids must be >= 0')
    slots, _ = distinct_id_slots(labels)
    num = int(slots.max()) + 1 if slots.numel() else 0
    # one table row, one value per (image, id) pair
    alphas = sample_alphas(1, max(num - 1, 0), device=labels.device,
                           generator=generator, **(alpha_cfg or {}))[0]
    channel = alphas[slots]
    if pixel_wise and beta:
        where = generator.device if generator is not None else channel.device
        eps = torch.randn(channel.shape, device=where, generator=generator)
        channel = channel + beta * eps.to(channel.device)
    return (channel * scale).unsqueeze(1)
