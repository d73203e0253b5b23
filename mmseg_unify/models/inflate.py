# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Load 3-channel (RGB) weights into a backbone with extra input channels.

A LAD teacher's backbone has ``in_channels=4``. mmengine would skip its first
conv when loading RGB weights (shape mismatch, a warning only). Instead, a
load-state-dict pre-hook on that conv widens a 3-channel weight: channels 0–2
are the pretrained RGB filters, the new channels are initialised explicitly.
The hook serves every path that loads weights: an mmengine ``Pretrained``
``init_cfg`` on the backbone, ``load_from`` of a whole model, and
``load_state_dict``.
"""
import torch
from torch import nn


def first_conv(backbone: nn.Module) -> nn.Conv2d:
    """The first ``nn.Conv2d`` of a backbone, in registration order.

    Covers ResNet/ResNetV1c (``stem.0`` / ``conv1``), STDC, HRNet,
    MobileNetV2 and any backbone whose first registered conv sees the image.

    Raises:
        ValueError: If no conv takes more than 3 input channels first.
    """
    for module in backbone.modules():
        if isinstance(module, nn.Conv2d):
            if module.in_channels <= 3:
                break
            return module
    raise ValueError(
        f'{type(backbone).__name__}: cannot adapt this backbone to a label '
        'input channel: its first convolution does not take in_channels > 3. '
        'Set in_channels=4 on the backbone (supported: ResNetV1c, ResNet, '
        'STDCContextPathNet, HRNet, MobileNetV2, ...).')


def inflate_rgb_weights(weight: torch.Tensor, in_channels: int,
                        init: str = 'normal', std: float = 0.1,
                        generator=None) -> torch.Tensor:
    """Widen an (O, 3, k, k) conv weight to ``in_channels`` inputs.

    Args:
        weight (Tensor): The pretrained RGB weight.
        in_channels (int): Wanted number of input channels.
        init (str): ``'normal'`` (N(0, std²), the official code's choice) or
            ``'zeros'`` for the new channels.
        std (float): Standard deviation for ``'normal'``. Default: 0.1.
        generator (torch.Generator, optional): Random generator.

    Returns:
        Tensor: (O, in_channels, k, k) weight.
    """
    extra_shape = (weight.shape[0], in_channels - weight.shape[1],
                   *weight.shape[2:])
    if init == 'zeros':
        extra = weight.new_zeros(extra_shape)
    elif init == 'normal':
        extra = torch.randn(extra_shape, generator=generator).to(weight) * std
    else:
        raise ValueError(f"label channel init must be 'normal' or 'zeros', "
                         f'got {init!r}')
    return torch.cat([weight, extra], dim=1)


def enable_rgb_weight_inflation(backbone: nn.Module, init: str = 'normal',
                                std: float = 0.1) -> nn.Conv2d:
    """Make the backbone's first conv accept 3-channel checkpoints.

    Args:
        backbone (nn.Module): A backbone built with ``in_channels > 3``.
        init (str): Initialisation of the extra channels, see
            :func:`inflate_rgb_weights`.
        std (float): Standard deviation for ``'normal'``.

    Returns:
        nn.Conv2d: The adapted conv.
    """
    conv = first_conv(backbone)

    def widen(state_dict, prefix, *args):
        key = prefix + 'weight'
        weight = state_dict.get(key)
        if weight is not None and weight.dim() == 4 \
                and weight.shape[1] == 3 < conv.in_channels:
            state_dict[key] = inflate_rgb_weights(weight, conv.in_channels,
                                                  init, std)

    conv._register_load_state_dict_pre_hook(widen)
    return conv
