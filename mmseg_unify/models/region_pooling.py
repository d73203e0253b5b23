# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Region pooling of constrained scores over the extra dataset's own regions.

During pseudo-labelling the extra dataset's label map is at hand. Its
connected regions (connected components of each raw id) group pixels that
the annotators saw as one thing, whatever the class names mean. Pooling
the ontology-constrained scores over such a region,

    p'(c) = (1 - w) * p(c) + w * mean_{region} p(c),

lets the region vote (``w = 1``: one label per region, the largest mean;
``w = 0``: no pooling). The argmax / void rule afterwards is unchanged.

Where pooling must not act (a coarse region that merges a thin class into a
large one, e.g. lane markings inside "road", would have the thin class voted
away) is decided by two settings:

* ``rule`` chooses the raw ids whose regions are pooled (:data:`RULES`):
  ``'all'`` (every id with a source class), ``'ambiguous'`` (more than one
  source class allowed) or ``'ambiguous-no-void'`` (the default; also not
  void-allowed: regions the annotators left open, such as "unlabeled",
  often hold several things);
* ``keep`` lists source classes that pooling never takes from a pixel: a
  pixel whose unpooled label is one of them keeps its scores exactly and
  does not vote in its region's mean.

Everything is vectorised: the components are labelled once per raw id
(``scipy.ndimage.label``, scipy comes with mmsegmentation), the sums per
region and class are one ``index_add_``, and the blend runs class by class
(one ``H x W`` plane at a time; no ``C x H x W`` copy).
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from scipy import ndimage

#: Which raw ids' regions are pooled (see the module doc).
RULES = ('all', 'ambiguous', 'ambiguous-no-void')
_STRUCTURES = {
    4: ndimage.generate_binary_structure(2, 1),
    8: ndimage.generate_binary_structure(2, 2),
}


def pooled_ids(allowed: torch.Tensor, void_allowed: torch.Tensor,
               rule: str = 'ambiguous-no-void') -> torch.Tensor:
    """The raw ids whose regions are pooled under ``rule``.

    Args:
        allowed (Tensor): ``G x C`` bool ontology matrix.
        void_allowed (Tensor): ``G`` bool, void is in the allowed set.
        rule (str): One of :data:`RULES`. Default: ``'ambiguous-no-void'``.

    Returns:
        Tensor: ``G`` bool.
    """
    if rule not in RULES:
        raise ValueError(f'region rule must be one of {RULES}, got {rule!r}')
    count = allowed.sum(dim=1)
    if rule == 'all':
        return count > 0
    if rule == 'ambiguous':
        return count > 1
    return (count > 1) & ~void_allowed


def label_regions(raw: torch.Tensor,
                  eligible: torch.Tensor,
                  connectivity: int = 4) -> Tuple[torch.Tensor, int]:
    """Number the connected components of each raw id among eligible pixels.

    Args:
        raw (Tensor): ``H x W`` integer raw label ids.
        eligible (Tensor): ``H x W`` bool, pixels that may be pooled.
        connectivity (int): 4 (edge neighbours) or 8 (also diagonal).
            Default: 4: two regions of one id that touch only at a corner
            (two cars seen diagonally) stay apart.

    Returns:
        tuple: ``regions`` (``H x W`` int64 on ``raw``'s device; 0 = not
        pooled, ``1..n`` one id per component) and ``n``.
    """
    if connectivity not in _STRUCTURES:
        raise ValueError(f'connectivity must be 4 or 8, got {connectivity}')
    raw_np = raw.cpu().numpy()
    ok = eligible.cpu().numpy()
    regions = np.zeros(raw_np.shape, dtype=np.int64)
    total = 0
    for value in np.unique(raw_np[ok]):
        comp, num = ndimage.label(ok & (raw_np == value),
                                  structure=_STRUCTURES[connectivity],
                                  output=np.int64)
        inside = comp > 0
        regions[inside] = comp[inside] + total
        total += num
    return torch.from_numpy(regions).to(raw.device), total


def region_means(probs: torch.Tensor, regions: torch.Tensor,
                 num_regions: int) -> torch.Tensor:
    """Mean score per region and class.

    Args:
        probs (Tensor): ``C x H x W`` scores.
        regions (Tensor): ``H x W`` int64 region ids (0 = not pooled).
        num_regions (int): Largest region id.

    Returns:
        Tensor: ``C x (num_regions + 1)``; column 0 (the pixels that are
        not pooled) is zero.
    """
    flat = regions.reshape(-1)
    sums = probs.new_zeros(probs.shape[0], num_regions + 1)
    sums.index_add_(1, flat, probs.reshape(probs.shape[0], -1))
    counts = torch.bincount(flat, minlength=num_regions + 1)
    sums /= counts.clamp(min=1).to(sums.dtype)
    sums[:, 0] = 0
    return sums


def pool_regions_(probs: torch.Tensor,
                  raw: torch.Tensor,
                  pooled: torch.Tensor,
                  weight: float,
                  keep: Optional[Sequence[int]] = None,
                  connectivity: int = 4) -> torch.Tensor:
    """Blend each pooled pixel's scores with its region's mean, in place.

    ``p'(c) = (1 - weight) * p(c) + weight * mean_region p(c)`` for pixels
    of a pooled raw id; every other pixel keeps its scores exactly.

    Args:
        probs (Tensor): ``C x H x W`` non-negative (constrained) scores,
            e.g. probabilities; overwritten.
        raw (Tensor): ``H x W`` raw extra label ids (valid rows of
            ``pooled``).
        pooled (Tensor): ``G`` bool, ids whose regions are pooled (see
            :func:`pooled_ids`).
        weight (float): ``w`` in ``[0, 1]``; 0 returns ``probs`` untouched.
        keep (Sequence[int], optional): Source classes that pooling leaves
            alone: a pixel whose argmax of ``probs`` is one of them is not
            pooled and does not vote.
        connectivity (int): Of the regions, 4 or 8. Default: 4.

    Returns:
        Tensor: ``probs``.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f'region weight must be in [0, 1], got {weight}')
    if weight == 0:
        return probs
    eligible = pooled[raw.long()]
    if keep:
        keep_mask = torch.zeros(probs.shape[0], dtype=torch.bool,
                                device=probs.device)
        keep_mask[list(keep)] = True
        # max(dim) as in the decision (and much faster than argmax on CPU)
        eligible &= ~keep_mask[probs.max(dim=0).indices]
    regions, num = label_regions(raw, eligible, connectivity)
    if num == 0:
        return probs
    means = region_means(probs, regions, num)
    # per-pixel weight: lerp with weight 0 returns the start value exactly
    # and with weight 1 the end value, so pixels outside every region are
    # unchanged and w = 1 gives the region mean itself.
    weights = (regions > 0).to(probs.dtype) * weight
    # a class with zero mean in every region is zero in all pooled pixels
    # (disallowed there): blending would leave it as it is, so skip it
    for c in torch.nonzero(means.any(dim=1)).ravel().tolist():
        probs[c].lerp_(means[c][regions], weights)  # one H x W plane
    return probs
