# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Adding one augmentation's prediction to a running sum, in place.

:func:`accumulate_softmax_` for logits (the softmax over the classes) and
:func:`accumulate_normalised_` for the non-negative class scores of
Mask2Former/MaskFormer heads (divided by their per-pixel sum, no softmax);
both work band by band so each step stays in the CPU cache.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmseg.models.decode_heads import Mask2FormerHead, MaskFormerHead

#: What ``seg_logits`` hold (``scores`` argument of the TTA model).
SCORES = ('logits', 'scores')
#: Heads whose ``predict`` returns non-negative class scores.
_SCORE_HEADS = (Mask2FormerHead, MaskFormerHead)


def softmax_(logits: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Softmax computed in place (no second full-size tensor).

    Args:
        logits (Tensor): Logits; overwritten with the probabilities.
        dim (int): Class dimension. Default: 0.

    Returns:
        Tensor: ``logits``, now holding the softmax.
    """
    logits.sub_(logits.amax(dim=dim, keepdim=True))
    logits.exp_()
    logits.div_(logits.sum(dim=dim, keepdim=True))
    return logits


def accumulate_softmax_(total: Optional[torch.Tensor], logits: torch.Tensor,
                        band: int = 8) -> torch.Tensor:
    """Add ``softmax(logits)`` over the classes to ``total``, band by band.

    Works on bands of ``band`` rows so that each band's max, exp, sum and
    division stay in the CPU cache instead of streaming the full-resolution
    map from memory once per step. The arithmetic per element is exactly
    :func:`softmax_`'s followed by an addition (bit for bit).

    Args:
        total (Tensor | None): ``C x H x W`` running sum, or ``None`` for the
            first augmentation.
        logits (Tensor): ``C x H x W`` logits; overwritten (with the softmax
            when ``total`` is None).
        band (int): Rows per band. Default: 8.

    Returns:
        Tensor: The running sum (``logits`` itself for the first one).
    """
    for top in range(0, logits.shape[1], band):
        part = logits[:, top:top + band]
        part.sub_(part.amax(dim=0, keepdim=True))
        part.exp_()
        if total is None:
            part.div_(part.sum(dim=0, keepdim=True))
        else:  # total += part / sum, without a second pass
            total[:, top:top + band].addcdiv_(
                part, part.sum(dim=0, keepdim=True))
    return logits if total is None else total


def accumulate_normalised_(total: Optional[torch.Tensor],
                           scores: torch.Tensor,
                           band: int = 8) -> torch.Tensor:
    """Add ``scores / scores.sum(classes)`` to ``total``, band by band (no
    softmax). A pixel whose scores are all zero adds nothing (no vote).

    Args:
        total (Tensor | None): ``C x H x W`` running sum, or ``None`` for the
            first augmentation.
        scores (Tensor): ``C x H x W`` non-negative scores; overwritten (with
            the normalised scores when ``total`` is None).
        band (int): Rows per band. Default: 8.

    Returns:
        Tensor: The running sum (``scores`` itself for the first one).

    Raises:
        ValueError: If a score is negative (the segmentor returns logits).
    """
    lowest = scores.new_zeros(())
    for top in range(0, scores.shape[1], band):
        part = scores[:, top:top + band]
        lowest = torch.minimum(lowest, part.amin())
        norm = part.sum(dim=0, keepdim=True)
        norm.masked_fill_(norm == 0, 1)
        if total is None:
            part.div_(norm)
        else:
            total[:, top:top + band].addcdiv_(part, norm)
    if lowest < 0:  # one check (and device sync) per augmentation
        raise ValueError(
            f"scores='scores' needs non-negative class scores (those of "
            f'Mask2Former/MaskFormer heads), got {float(lowest):.4g}: this '
            "segmentor returns logits, use scores='logits'.")
    return scores if total is None else total


def output_kind(module: nn.Module) -> str:
    """``'scores'`` for a segmentor whose decode head returns class scores
    (``Mask2FormerHead``, ``MaskFormerHead``), else ``'logits'``.

    Args:
        module (nn.Module): The segmentor.
    """
    head = getattr(module, 'decode_head', None)
    return 'scores' if isinstance(head, _SCORE_HEADS) else 'logits'
