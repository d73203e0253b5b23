# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Small helpers shared by the segmentors (no registered names)."""
from contextlib import contextmanager
from typing import Iterator, List

from torch import Tensor, nn


def main_head(segmentor: nn.Module) -> nn.Module:
    """The head whose output is the segmentor's final logits.

    ``EncoderDecoder``: ``decode_head``; ``CascadeEncoderDecoder`` (OCRNet):
    the last of its ``decode_head`` list.
    """
    head = segmentor.decode_head
    return head[-1] if isinstance(head, nn.ModuleList) else head


def logits_layer(segmentor: nn.Module) -> nn.Module:
    """The main head's ``conv_seg``: its output are the decode logits.

    MMSeg heads compute their logits in ``cls_seg`` through ``conv_seg``
    (called as a module, so forward hooks fire, unlike ``head.forward``
    which ``head.loss`` calls as a method).

    Raises:
        ValueError: For a head without ``conv_seg`` (e.g. PointHead).
    """
    head = main_head(segmentor)
    conv = getattr(head, 'conv_seg', None)
    if not isinstance(conv, nn.Module):
        raise ValueError(
            f'{type(head).__name__} has no conv_seg layer: its logits cannot '
            'be taken for the consistency/distillation loss')
    return conv


@contextmanager
def capture_outputs(module: nn.Module) -> Iterator[List[Tensor]]:
    """Collect the outputs of ``module`` while the context is open."""
    outputs: List[Tensor] = []
    handle = module.register_forward_hook(
        lambda mod, args, out: outputs.append(out))
    try:
        yield outputs
    finally:
        handle.remove()
