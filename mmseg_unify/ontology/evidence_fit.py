# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Reading evidence through the teacher's confusion.

A teacher errs, so its predicted shares ``s`` on an extra label (a row of
an :class:`~.evidence.Evidence` table) are read through its *confusion*
``M[a, c]`` (share of true source class ``a`` predicted as ``c``: the
teacher's evidence on its own validation set, :func:`confusion_matrix`): a
label whose pixels really are the classes ``A`` in proportions ``pi`` shows
``s ~ pi @ M[A]``. :func:`explain` fits ``pi`` by non-negative least
squares, :func:`select_classes` finds the smallest set of classes that
explains ``s``. Without a calibration ``M`` is the identity and ``pi = s``.
:mod:`.map_audit` and :mod:`.map_draft` turn this into audit flags and
draft maps.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
from scipy.optimize import nnls

from .evidence import Evidence


def confusion_matrix(calibration: Optional[Evidence],
                     num_classes: int) -> np.ndarray:
    """Row-normalised confusion (true source class -> prediction).

    Args:
        calibration (Evidence, optional): The teacher's evidence on a set
            labelled in the source taxonomy (rows: source ids). Classes it
            lacks (and ``None``) get identity rows.
        num_classes (int): Number of source classes.

    Returns:
        np.ndarray: ``C x C`` float, rows summing to 1.
    """
    matrix = np.eye(num_classes)
    if calibration is None:
        return matrix
    if len(calibration.source_names) != num_classes:
        raise ValueError(f'calibration evidence has '
                         f'{len(calibration.source_names)} source classes, '
                         f'expected {num_classes}')
    shares = calibration.shares()
    for r, g in enumerate(calibration.extra_ids):
        if 0 <= g < num_classes and calibration.pixels[r]:
            matrix[g] = shares[r]
    return matrix


def calibrated(confusion: np.ndarray) -> bool:
    """Whether the confusion is not the identity (a calibration read)."""
    return bool((confusion != np.eye(len(confusion))).any())


def explain(shares: np.ndarray, confusion: np.ndarray,
            classes: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
    """Fit predicted shares with a mixture of ``classes``' confusion rows
    (non-negative least squares; the fitted shares need not sum to 1, which
    absorbs a teacher that is less accurate on the extra dataset).

    Args:
        shares (np.ndarray): ``C`` predicted shares of one label.
        confusion (np.ndarray): ``C x C`` (:func:`confusion_matrix`).
        classes (Sequence[int]): Source classes the mixture may use.

    Returns:
        tuple[np.ndarray, np.ndarray]: The fitted share of every class (0
        outside ``classes``) and the predicted shares it explains.
    """
    weights = np.zeros(len(shares))
    classes = list(classes)
    if classes:
        weights[classes] = nnls(confusion[classes].T, shares)[0]
    return weights, weights @ confusion


def explained_share(shares: np.ndarray, explained: np.ndarray) -> float:
    """The share of the predictions a fit explains: ``1 - sum(max(0,
    shares - explained))``."""
    return 1.0 - float(np.clip(shares - explained, 0, None).sum())


def select_classes(shares: np.ndarray, confusion: np.ndarray,
                   min_gain: float, start: Sequence[int] = ()) -> tuple:
    """Forward selection of the classes that explain a label's predictions
    (after ``start``), then backward removal of the added classes left with
    a fitted share below ``min_gain``.

    Args:
        shares (np.ndarray): ``C`` predicted shares of one label.
        confusion (np.ndarray): ``C x C`` teacher confusion.
        min_gain (float): Explained share a class must add to join (> 0).
        start (Sequence[int]): Classes in the set from the beginning.

    Returns:
        tuple: ``(added, weights, total)``: the added classes with the gain
        each brought, as ``[(class, gain)]`` in the order chosen; the
        fitted share of every class; the share explained.
    """
    if not min_gain > 0:
        raise ValueError(f'min_gain must be > 0, got {min_gain}')
    chosen = list(start)
    weights, expl = explain(shares, confusion, chosen)
    total, added = explained_share(shares, expl), []
    while len(chosen) < len(shares):
        trials = []
        for c in set(range(len(shares))) - set(chosen):
            fit, expl = explain(shares, confusion, chosen + [c])
            trials.append((explained_share(shares, expl), -c, fit))
        best, neg_c, fit = max(trials, key=lambda t: t[:2])
        if best - total < min_gain:
            break
        chosen.append(-neg_c)
        added.append((-neg_c, best - total))
        weights, total = fit, best
    while added and min(weights[c] for c, _ in added) < min_gain:
        added.remove(min(added, key=lambda step: weights[step[0]]))
        chosen = list(start) + [c for c, _ in added]
        weights, expl = explain(shares, confusion, chosen)
        total = explained_share(shares, expl)
    return added, weights, total
