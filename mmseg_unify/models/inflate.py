# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Load 3-channel (RGB) weights into a backbone with extra input channels.

A LAD teacher's backbone is built with ``in_channels=4`` (image + label).
Loading RGB weights into it, mmengine would skip the first conv (shape
mismatch, a warning only) and leave it randomly initialised. Instead, a
load-state-dict pre-hook on each conv that sees the image widens a 3-channel
weight before the copy: channels 0–2 are the pretrained RGB filters exactly,
the new channels are initialised explicitly (default N(0, 0.1²), as the
official LAD code). A pre-hook serves every path that loads weights, because
all of them end in ``Module._load_from_state_dict``:

* an mmengine ``init_cfg=dict(type='Pretrained', checkpoint=...)`` on the
  backbone (also MMSeg's ``pretrained=`` of a segmentor),
* ``load_from`` of a whole RGB model (the runner's ``load_checkpoint``),
* plain ``load_state_dict``.

A checkpoint that already has 4 input channels (resume, a trained teacher)
passes unchanged.

Covered and tested: ResNetV1c/ResNet (``stem.0`` / ``conv1``: FCN, PSPNet,
DeepLabV3), STDC (``STDCContextPathNet`` → ``STDCNet`` first ConvModule) and
HRNet (``conv1``: OCRNet). Any backbone whose first registered conv sees the
image works the same way (MobileNetV2, ...); others fail with a clear error.
"""
from typing import List

import torch
from mmengine.logging import print_log
from torch import nn


def first_conv(backbone: nn.Module) -> nn.Conv2d:
    """The conv that sees the image: the first registered ``nn.Conv2d``.

    Args:
        backbone (nn.Module): A backbone built with ``in_channels > 3``.

    Returns:
        nn.Conv2d: ``stem.0`` (ResNetV1c), ``conv1`` (ResNet, HRNet),
        ``backbone.stages.0.conv`` (STDC), ...

    Raises:
        ValueError: Naming the backbone class if its first conv does not take
            more than 3 input channels (built without ``in_channels=4``, or
            a backbone whose first registered conv is not the input conv).
    """
    for module in backbone.modules():
        if isinstance(module, nn.Conv2d):
            if module.in_channels > 3:
                return module
            break
    raise ValueError(
        f'{type(backbone).__name__}: cannot adapt this backbone to a label '
        'input channel: its first convolution does not take more than 3 '
        'input channels. Build it with in_channels=4 (STDC: '
        'backbone_cfg=dict(in_channels=4)); supported: ResNetV1c, ResNet, '
        'STDCContextPathNet/STDCNet, HRNet and other backbones whose first '
        'registered convolution reads the image.')


def image_convs(backbone: nn.Module) -> List[nn.Conv2d]:
    """Every dense conv that reads the image (a stem may have several).

    The first conv defines the input channels; every other non-grouped conv
    with the same ``in_channels`` is included too (e.g. a second stem
    branch). A conv that reads features only never gets a 3-channel weight
    from a matching checkpoint, so including it is harmless.
    """
    conv = first_conv(backbone)
    return [
        m for m in backbone.modules()
        if isinstance(m, nn.Conv2d) and m.groups == 1
        and m.in_channels == conv.in_channels
    ]


def inflate_rgb_weights(weight: torch.Tensor,
                        in_channels: int,
                        init: str = 'normal',
                        std: float = 0.1,
                        generator=None) -> torch.Tensor:
    """Widen an (O, 3, k, k) conv weight to ``in_channels`` inputs.

    Args:
        weight (Tensor): The pretrained RGB weight.
        in_channels (int): Wanted number of input channels.
        init (str): ``'normal'`` (N(0, std²), the official code's choice) or
            ``'zeros'`` for the new channels.
        std (float): Standard deviation for ``'normal'``. Default: 0.1.
        generator (torch.Generator, optional): CPU random generator.

    Returns:
        Tensor: (O, in_channels, k, k) weight; ``[:, :3]`` is ``weight``.
    """
    extra_shape = (weight.shape[0], in_channels - weight.shape[1],
                   *weight.shape[2:])
    if init == 'zeros':
        extra = weight.new_zeros(extra_shape)
    elif init == 'normal':
        extra = torch.randn(extra_shape, generator=generator).to(weight) * std
    else:
        raise ValueError("label channel init must be 'normal' or 'zeros', "
                         f'got {init!r}')
    return torch.cat([weight, extra], dim=1)


def enable_rgb_weight_inflation(backbone: nn.Module,
                                init: str = 'normal',
                                std: float = 0.1) -> nn.Conv2d:
    """Make a 4-channel backbone accept 3-channel (RGB) checkpoints.

    Registers a load-state-dict pre-hook on every conv that reads the image
    (:func:`image_convs`); a 3-channel weight arriving there is widened by
    :func:`inflate_rgb_weights` (and logged) before the copy.

    Args:
        backbone (nn.Module): A backbone built with ``in_channels > 3``.
        init (str): Initialisation of the extra channels: ``'normal'`` or
            ``'zeros'``.
        std (float): Standard deviation for ``'normal'``. Default: 0.1.

    Returns:
        nn.Conv2d: The first (input) conv.
    """
    if init not in ('normal', 'zeros'):
        raise ValueError("label channel init must be 'normal' or 'zeros', "
                         f'got {init!r}')
    for conv in image_convs(backbone):
        conv._register_load_state_dict_pre_hook(_widen_hook(conv, init, std))
    return first_conv(backbone)


def _widen_hook(conv: nn.Conv2d, init: str, std: float):
    """A pre-hook widening ``prefix + 'weight'`` for ``conv``."""

    def widen(state_dict, prefix, *args):
        key = prefix + 'weight'
        weight = state_dict.get(key)
        if (isinstance(weight, torch.Tensor) and weight.dim() == 4
                and weight.shape[1] == 3 < conv.in_channels):
            state_dict[key] = inflate_rgb_weights(weight, conv.in_channels,
                                                  init, std)
            extra = f'N(0, {std}²)' if init == 'normal' else 'zeros'
            print_log(
                f'{key}: loaded RGB weights {tuple(weight.shape)} into input '
                f'channels 0-2; channels 3-{conv.in_channels - 1} (label) '
                f'initialised with {extra}', logger='current')

    return widen
