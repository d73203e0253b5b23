# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Teacher stability under label noise: mKL (LAD paper, Tab. 8).

The teacher is run ``K`` times on the same images, each time with an
independently noised label channel; mKL is the mean over all ordered pairs
``(i, j), i != j`` of the per-pixel KL divergence ``KL(p_i || p_j)`` between
the softmax outputs, averaged over pixels and images, times 100.
"""
import itertools

import torch
from torch import Tensor


def mean_pairwise_kl(log_probs: Tensor) -> Tensor:
    """Mean KL over ordered pairs of K runs.

    Args:
        log_probs (Tensor): (K, N, C, H, W) log-softmax outputs.

    Returns:
        Tensor: Scalar mean of ``sum_c p_i (log p_i - log p_j)`` over pixels,
        images and the ``K (K - 1)`` ordered pairs.
    """
    k = log_probs.shape[0]
    if k < 2:
        raise ValueError(f'mKL needs at least 2 runs, got {k}')
    total = log_probs.new_zeros(())
    for i, j in itertools.permutations(range(k), 2):
        kl = (log_probs[i].exp() * (log_probs[i] - log_probs[j])).sum(1)
        total = total + kl.mean()
    return total / (k * (k - 1))


@torch.no_grad()
def teacher_mkl(model, data: dict, k: int = 5) -> float:
    """mKL ×100 of a LAD teacher on one batch.

    Args:
        model: A segmentor whose ``data_preprocessor`` is a
            ``LabelNoisingDataPreprocessor``.
        data (dict): A collated batch with ``gt_sem_seg`` in the samples.
        k (int): Number of independently noised runs. Default: 5.

    Returns:
        float: The mean pairwise KL times 100.
    """
    pp = model.data_preprocessor
    if not hasattr(pp, 'label_channel'):
        raise TypeError('teacher_mkl needs a LabelNoisingDataPreprocessor, '
                        f'got {type(pp).__name__}')
    model.eval()
    batch = pp(data, False)
    images, samples = batch['inputs'][:, :-1], batch['data_samples']
    outs = []
    for _ in range(k):
        channel = pp.label_channel(samples, images.shape)
        logits = model._forward(torch.cat([images, channel], dim=1))
        outs.append(torch.log_softmax(logits.float(), dim=1))
    return 100.0 * mean_pairwise_kl(torch.stack(outs)).item()
