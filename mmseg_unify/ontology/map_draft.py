# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Drafting an ontology map from evidence, and comparing maps by pairs.

A draft allowed set is the smallest set of source classes whose confusion
rows explain what the teacher predicts on the label
(:func:`~.evidence_fit.select_classes`): a class joins while it explains at
least ``min_gain`` more of the label's predictions. Reading the
predictions through the teacher's confusion keeps its habitual mistakes
(lane markings predicted as road, walls as building) from becoming entries
and lets a class it only partly recognises (walls) still be found.
"""
from typing import Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

from .evidence import IGNORE_NAME, Evidence
from .evidence_fit import select_classes
from .map_audit import top_classes
from .map_file import VOID
from .ontology import Ontology
from .yaml_io import dump_map


def draft_entries(evidence: Evidence,
                  void_names: Set[str] = frozenset(),
                  min_gain: float = 0.03,
                  void_share: float = 0.3,
                  confusion: Optional[np.ndarray] = None,
                  min_recall: float = 0.2
                  ) -> List[Tuple[str, List[str], str]]:
    """A draft map's entries from the evidence.

    Allowed set of a label: :func:`~.evidence_fit.select_classes` (in
    source-class order), plus ``void`` if the taxonomy marks the label void
    (``void_names``: the annotators left it open), if the teacher is unsure
    (below the evidence's confidence threshold) on at least ``void_share``
    of its pixels, or if no class qualifies. A label without pixels gets
    ``[]``. Each note gives the fit, the predicted shares, pixels, the
    unsure share and a ``REVIEW`` warning for classes the teacher hardly
    recognises.

    Args:
        evidence (Evidence): The teacher's evidence.
        void_names (set[str]): Extra classes marked ``void``.
        min_gain (float): See :func:`~.evidence_fit.select_classes`.
        void_share (float): Unsure share for ``void`` to be allowed.
        confusion (np.ndarray, optional): The teacher's confusion
            (:func:`~.evidence_fit.confusion_matrix`); default the identity.
        min_recall (float): Below this recall a chosen class is marked
            ``REVIEW``.

    Returns:
        list[tuple]: ``(extra class, allowed names, evidence note)`` in
        taxonomy order (without the ignore-index row), as
        :func:`~mmseg_unify.ontology.yaml_io.dump_map` takes them.
    """
    names, low = evidence.source_names, evidence.low_confidence()
    if confusion is None:
        confusion = np.eye(len(names))
    entries = []
    for r, name in enumerate(evidence.extra_names):
        n = int(evidence.pixels[r])
        if name == IGNORE_NAME:
            continue
        if not n:
            entries.append((name, [], 'REVIEW: no pixels in the sample'))
            continue
        steps, fit, total = select_classes(evidence.shares()[r], confusion,
                                           min_gain)
        chosen = [c for c, _ in steps]
        allowed = [names[c] for c in sorted(chosen)]
        fit = fit / max(fit.sum(), 1e-12)  # shown as shares of the fit
        note = 'fit ' + ', '.join(f'{names[c]} {100 * fit[c]:.0f}%'
                                  for c in chosen) + \
            f' (explains {100 * total:.0f}%); predicted ' + \
            f'{top_classes(evidence, r)}; {n} px'
        reasons = ['void class'] if name in void_names else []
        if low is not None:
            note += f', unsure {100 * low[r]:.0f}%'
            if low[r] >= void_share:
                reasons.append('teacher unsure')
        if reasons or not allowed:
            allowed.append(VOID)
            note += f'; void: {", ".join(reasons or ["no class"])}'
        weak = [names[c] for c in chosen if confusion[c, c] < min_recall]
        if weak:
            note = f'REVIEW: teacher hardly recognises {weak}; ' + note
        entries.append((name, allowed, note))
    return entries


def draft_text(evidence: Evidence, extra: str, source: str,
               entries: Sequence[tuple], settings: dict) -> str:
    """The draft map file: marked ``draft: true``, with a header saying how
    it was made and every entry's evidence as its comment.

    Args:
        evidence (Evidence): The evidence drafted from.
        extra (str): Extra taxonomy name.
        source (str): Source taxonomy name.
        entries (Sequence[tuple]): :func:`draft_entries` output.
        settings (dict): ``min_gain``, ``void_share`` and ``calibrated``
            (whether the teacher's confusion was used).

    Returns:
        str: YAML text (:func:`~mmseg_unify.ontology.yaml_io.dump_map`).
    """
    meta = evidence.meta
    header = (
        f'DRAFT by tools/check_ontology.py --suggest: {meta.get("images")} '
        f'images, TTA {meta.get("tta")}, teacher confusion '
        f'{"" if settings["calibrated"] else "not "}calibrated.\n'
        f'allowed: classes that explain >= {settings["min_gain"]:g} more of '
        f'the predictions; void: void class or >= '
        f'{settings["void_share"]:g} of the pixels unsure (probability < '
        f'{meta.get("confidence_threshold")}).')
    return dump_map(extra, source, entries, comment=header, draft=True)


def allowed_pairs(ontology: Ontology) -> Set[Tuple[str, str]]:
    """The (extra class, source class) pairs a map allows (no void)."""
    return {(cls.name, ontology.source.classes[c].name)
            for cls in ontology.extra.classes
            for c in np.flatnonzero(ontology.allowed[cls.id])}


def entry_pairs(entries: Sequence[tuple]) -> Set[Tuple[str, str]]:
    """The allowed pairs of :func:`draft_entries` output (no void)."""
    return {(name, s) for name, allowed, *_ in entries for s in allowed
            if s != VOID}


def pair_scores(draft: Set[tuple], reference: Set[tuple]) -> Dict:
    """Precision and recall of ``draft``'s allowed pairs.

    Args:
        draft (set[tuple]): Pairs of the draft (:func:`entry_pairs`).
        reference (set[tuple]): Pairs of the reference map
            (:func:`allowed_pairs`).

    Returns:
        dict: ``precision``, ``recall``, ``true_positives`` and the sorted
        ``extra`` (draft only) and ``missing`` (reference only) pairs.
    """
    hits = draft & reference
    return dict(precision=len(hits) / len(draft) if draft else 1.0,
                recall=len(hits) / len(reference) if reference else 1.0,
                true_positives=len(hits), extra=sorted(draft - reference),
                missing=sorted(reference - draft))
