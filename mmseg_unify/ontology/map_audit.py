# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Auditing an ontology map against evidence.

Plain functions on :class:`~mmseg_unify.ontology.evidence.Evidence` tables,
read through the teacher's confusion (see :mod:`.evidence_fit`).
:func:`audit_map` flags, per extra label (shares of its pixels in the
sample, thresholds in :class:`AuditThresholds`):

* ``unconfirmed set`` (a): the allowed classes explain less than
  ``min_confirmed`` of the predictions;
* ``unconfirmed class`` (a): an allowed class has a fitted share below
  ``min_allowed_share`` (an entry that may be wrong); classes the teacher
  cannot recognise (recall below ``min_recall``) are noted, not flagged,
  and a label whose allowed classes are all such gets no (b) flags: the
  teacher's predictions there are no evidence;
* ``forbidden class`` (b): a forbidden class that, added to the allowed
  set, explains at least ``min_forbidden_share`` more of the confident
  predictions (forward selection from the allowed set,
  :func:`~.evidence_fit.select_classes`): a missing entry, e.g.
  ``void -> sky``;
* ``absent`` (c): the label has fewer than ``min_pixels`` pixels.

Counting only confident predictions for (b) (when the evidence has them)
keeps unsure confusions of a domain shift from looking like missing
entries. :func:`truth_flag_keys` audits a ground truth of the same images
(which flags it confirms). :mod:`.map_draft` drafts maps from the same fits.
"""
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .evidence import IGNORE_NAME, Evidence, count_label_files
from .evidence_fit import explain, explained_share, select_classes
from .ontology import Ontology

UNCONFIRMED_SET, UNCONFIRMED_CLASS = 'unconfirmed set', 'unconfirmed class'
FORBIDDEN, ABSENT, BLIND = 'forbidden class', 'absent', 'cannot confirm'


@dataclass(frozen=True)
class AuditThresholds:
    """When :func:`audit_map` raises a flag (shares of a label's pixels).

    Args:
        min_confirmed (float): Flag a set explaining less.
        min_allowed_share (float): Flag an allowed class fitted below.
        min_forbidden_share (float): Flag a forbidden class this much
            above what the allowed classes explain.
        min_pixels (int): Flag a label with fewer pixels as absent.
        min_recall (float): Below this calibration recall the teacher cannot
            confirm a class (noted, not flagged).
    """
    min_confirmed: float = 0.5
    min_allowed_share: float = 0.002
    min_forbidden_share: float = 0.05
    min_pixels: int = 1
    min_recall: float = 0.2


@dataclass(frozen=True)
class Flag:
    """One finding of :func:`audit_map`, with its evidence.

    Args:
        kind (str): A kind of the module doc, or ``cannot confirm`` (a
            note).
        extra_id (int): Raw id of the extra label.
        extra_class (str): Its name.
        source_class (str, optional): The source class concerned; the
            allowed classes joined by ``+`` for ``unconfirmed set``.
        share (float): Fitted share (allowed class), explained share
            (set), gain (forbidden class) or recall (``cannot confirm``).
        predicted (float): The teacher's predicted share of the class.
        pixels (int): The label's pixels in the sample.
    """
    kind: str
    extra_id: int
    extra_class: str
    source_class: Optional[str]
    share: float
    predicted: float
    pixels: int

    @property
    def key(self) -> tuple:
        """``(kind, extra id, source class)``, to compare audits."""
        return self.kind, self.extra_id, self.source_class

    def message(self) -> str:
        """The verdict in plain words, with the evidence."""
        what = f'{self.extra_class} (id {self.extra_id}'
        what += f', {self.pixels} px)' if self.kind != ABSENT else ')'
        pred = f'{100 * self.predicted:.1f}%'
        if self.kind == ABSENT:
            return (f'{what} has {self.pixels} pixels in the sample: no '
                    'evidence; use more images or check the label')
        if self.kind == BLIND:
            return (f'{what} -> {self.source_class}: the teacher recognises '
                    f'{self.source_class} on only {100 * self.share:.0f}% of '
                    'its own validation pixels; it can neither confirm nor '
                    'refute this entry')
        if self.kind == UNCONFIRMED_SET:
            return (f'{what}: the allowed set ({self.source_class}) explains '
                    f'only {100 * self.share:.1f}% of the predictions; the '
                    'set may be wrong')
        if self.kind == UNCONFIRMED_CLASS:
            return (f'{what} -> {self.source_class} is allowed but hardly '
                    f'occurs: fitted share {100 * self.share:.2f}% '
                    f'(predicted {pred}); a wrong entry?')
        return (f'{what} -> {self.source_class} is forbidden but predicted '
                f'on {pred}; allowing it would explain a further '
                f'{100 * self.share:.1f}% of the confident predictions; a '
                'missing entry?')


def check_compatible(ontology: Ontology, evidence: Evidence) -> None:
    """Raise unless the evidence was counted in the map's taxonomies.

    Raises:
        ValueError: Naming the map and what differs.
    """
    ok_ids = all(g < len(ontology.known_ids) and ontology.known_ids[g]
                 for g in evidence.extra_ids)
    if evidence.source_names != list(ontology.source.names) or not ok_ids \
            or evidence.meta.get('extra', ontology.extra.name) != \
            ontology.extra.name:
        raise ValueError(
            f'{ontology.path}: the evidence ({evidence.meta.get("extra")} -> '
            f'{evidence.meta.get("source")}, source classes '
            f'{evidence.source_names}) was not counted in the taxonomies of '
            f'this map ({ontology.extra.name} -> {ontology.source.name})')


def audit_map(ontology: Ontology,
              evidence: Evidence,
              thresholds: AuditThresholds = AuditThresholds(),
              confusion: Optional[np.ndarray] = None) -> List[Flag]:
    """Flag the map's entries that the evidence does not support.

    Args:
        ontology (Ontology): The map under audit.
        evidence (Evidence): The teacher's (or a ground truth's) evidence.
        thresholds (AuditThresholds): When to flag.
        confusion (np.ndarray, optional): The teacher's confusion
            (:func:`confusion_matrix`); ``None``: the identity (exact labels).

    Returns:
        list[Flag]: Per row: absent, set, class flags and notes.
    """
    check_compatible(ontology, evidence)
    t, shares, names = thresholds, evidence.shares(), evidence.source_names
    sure = shares if evidence.confident is None else \
        evidence.confident / np.maximum(evidence.pixels, 1)[:, None]
    if confusion is None:
        confusion = np.eye(len(names))
    recall = np.diag(confusion)
    flags = []
    for r, (g, name) in enumerate(zip(evidence.extra_ids,
                                      evidence.extra_names)):
        n, s = int(evidence.pixels[r]), shares[r]
        if n < t.min_pixels:
            if name != IGNORE_NAME:
                flags.append(Flag(ABSENT, g, name, None, 0., 0., n))
            continue
        allowed = np.flatnonzero(ontology.allowed[g])
        fitted, explained = explain(s, confusion, allowed)
        allowed = allowed.tolist()
        # a teacher blind to every allowed class is no evidence on the row
        blind = len(allowed) and (recall[allowed] < t.min_recall).all()
        inside = 1.0 if blind else explained_share(s, explained)
        if len(allowed) and inside < t.min_confirmed:
            flags.append(Flag(UNCONFIRMED_SET, g, name,
                              '+'.join(names[c] for c in allowed), inside,
                              s[allowed].sum(), n))
        for c in allowed:
            if recall[c] < t.min_recall:
                flags.append(Flag(BLIND, g, name, names[c], recall[c], s[c],
                                  n))
            elif fitted[c] < t.min_allowed_share:
                flags.append(Flag(UNCONFIRMED_CLASS, g, name, names[c],
                                  fitted[c], s[c], n))
        missing = [] if blind else select_classes(
            sure[r], confusion, t.min_forbidden_share, allowed)[0]
        flags += [Flag(FORBIDDEN, g, name, names[c], gain, s[c], n)
                  for c, gain in sorted(missing)]
    return flags


def truth_flag_keys(ontology: Ontology, evidence: Evidence, truth_root: str,
                    thresholds: AuditThresholds) -> set:
    """The flags a ground truth in source ids raises on the same images.

    Args:
        ontology (Ontology): The audited map.
        evidence (Evidence): The teacher's evidence; its ``meta`` lists the
            ``label_files`` and their folder ``label_prefix``.
        truth_root (str): Folder mirroring ``label_prefix`` with the
            ground truth in source ids (``--truth``).
        thresholds (AuditThresholds): As for the teacher's audit.

    Returns:
        set: The :attr:`Flag.key` of every flag :func:`audit_map` raises
        on the ground truth's evidence (exact labels: no confusion).

    Raises:
        ValueError: If the evidence does not list its label files.
    """
    labels, prefix = (evidence.meta.get(k)
                      for k in ('label_files', 'label_prefix'))
    if not labels or not prefix:
        raise ValueError(f'--truth {truth_root}: the evidence does not list '
                         'its label files')
    truth = [osp.join(truth_root, osp.relpath(p, prefix)) for p in labels]
    counts = count_label_files(ontology, labels, truth)
    flags = audit_map(ontology, Evidence.from_matrix(counts, ontology),
                      thresholds)
    return {f.key for f in flags}


def text_table(rows: List[List[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return '\n'.join(
        '  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        for r in rows)


def format_audit(ontology: Ontology, evidence: Evidence, flags: List[Flag],
                 truth: Optional[set] = None) -> str:
    """The audit report: a table per label, the notes, the flags with
    their evidence, and the verdict in plain words.

    Args:
        ontology (Ontology): The map audited.
        evidence (Evidence): The evidence it was audited with.
        flags (list[Flag]): :func:`audit_map` output.
        truth (set, optional): :attr:`Flag.key` of the flags a ground
            truth raises; each flag is then marked confirmed or contradicted.

    Returns:
        str: The report.
    """
    low = evidence.low_confidence()
    rows = [['id', 'extra class', 'pixels', 'allowed', 'teacher predicts',
             'unsure']]
    for r, g in enumerate(evidence.extra_ids):
        rows.append([str(g), evidence.extra_names[r],
                     str(evidence.pixels[r]),
                     ', '.join(ontology.allowed_names(g)) or 'void',
                     top_classes(evidence, r),
                     '-' if low is None else f'{100 * low[r]:.1f}%'])
    lines = [text_table(rows)]
    notes = [f for f in flags if f.kind == BLIND]
    found = [f for f in flags if f.kind != BLIND]
    for title, items in (('notes', notes), ('flags', found)):
        lines.append(f'\n{title} ({len(items)}):')
        for f in items:
            check = '' if truth is None or f.kind == BLIND else \
                ' [truth: confirms]' if f.key in truth else \
                ' [truth: CONTRADICTS]'
            lines.append(f'  - {f.kind}: {f.message()}{check}')
    lines.append('verdict: ' + (
        'no flags: on this sample the teacher supports every entry of the '
        'map.' if not found else
        f'{len(found)} finding(s) to review: the teacher\'s predictions do '
        'not support these entries on this sample (a teacher can be wrong '
        'too: look at evidence.png and the images).'))
    return '\n'.join(lines)


def top_classes(evidence: Evidence, row: int, k: int = 3,
                min_share: float = 0.001) -> str:
    """``'building 61.2%, sky 37.9%'``: the row's most predicted classes."""
    shares = evidence.shares()[row]
    order = [c for c in np.argsort(-shares, kind='stable')[:k]
             if shares[c] >= min_share]
    return ', '.join(f'{evidence.source_names[c]} {100 * shares[c]:.1f}%'
                     for c in order) or '-'
