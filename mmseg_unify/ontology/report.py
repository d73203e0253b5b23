# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The text that ``tools/check_ontology.py`` prints about a map.

* :func:`map_heading` and :func:`map_report`: the map's files, its table
  (raw id, extra class, allowed source classes, kind; with pixel counts of
  the labels if given), its warnings and the pixel share of each kind;
* :func:`audit_heading`: the settings an audit (:mod:`.map_audit`) ran with;
* :func:`draft_agreement`: a draft's allowed pairs scored against a
  reviewed map (:func:`~.map_draft.pair_scores`).
"""
from typing import List, Optional

import numpy as np

from .evidence import Evidence
from .evidence_fit import calibrated
from .map_audit import AuditThresholds, text_table
from .map_file import draft_message, load_map_spec
from .ontology import Ontology
from .stats import kind_shares


def map_table(ontology: Ontology,
              counts: Optional[np.ndarray] = None) -> str:
    """The map as a table, with pixel counts and shares if given.

    Args:
        ontology (Ontology): The map.
        counts (np.ndarray, optional): Pixels per raw id
            (:func:`~.stats.count_pixels`); adds the ignore index's row.

    Returns:
        str: One line per extra class, columns aligned.
    """
    header = ['id', 'extra class', 'allowed source classes', 'kind']
    if counts is not None:
        header += ['pixels', 'share']
    rows, kinds = [header], ontology.kinds()
    total = max(int(counts.sum()), 1) if counts is not None else 1

    def pixels(raw):
        if counts is None:
            return []
        return [str(counts[raw]), f'{100 * counts[raw] / total:.2f}%']

    for cls in ontology.extra.classes:
        rows.append([str(cls.id), cls.name,
                     ', '.join(ontology.allowed_names(cls.id)),
                     kinds[cls.id]] + pixels(cls.id))
    ignore = ontology.extra.ignore_index
    if counts is not None and ignore not in ontology.extra.ids:
        rows.append([str(ignore), '(ignore index)', 'void', kinds[ignore]] +
                    pixels(ignore))
    return text_table(rows)


def map_heading(ontology: Ontology) -> str:
    """The map's file and its two taxonomies (names and files)."""
    return (f'map: {ontology.path}\n'
            f'extra: {ontology.extra.name} ({ontology.extra.path}) -> '
            f'source: {ontology.source.name} ({ontology.source.path}), '
            f'{ontology.num_classes} classes')


def map_messages(ontology: Ontology) -> List[str]:
    """The map's warnings, led by the draft mark's if it has one."""
    messages = list(ontology.messages)
    if load_map_spec(ontology.path, warn_draft=False).draft:
        messages.insert(0, draft_message(ontology.path))
    return messages


def map_report(ontology: Ontology, counts: Optional[np.ndarray] = None,
               num_files: int = 0) -> str:
    """The table, the warnings and, with ``counts``, the pixel shares.

    Args:
        ontology (Ontology): The map.
        counts (np.ndarray, optional): Pixels per raw id of the labels.
        num_files (int): How many label files ``counts`` come from.

    Returns:
        str: :func:`map_table`, ``warnings (n):`` with one line each, then
        ``pixels: N in F files; <kind>: <share>, ...`` if counted.
    """
    messages = map_messages(ontology)
    lines = [map_table(ontology, counts), f'\nwarnings ({len(messages)}):']
    lines += [f'  - {message}' for message in messages]
    if counts is not None:
        shares = kind_shares(ontology, counts)
        lines.append(f'\npixels: {int(counts.sum())} in {num_files} files; ' +
                     ', '.join(f'{kind}: {100 * v:.2f}%'
                               for kind, v in shares.items()))
    return '\n'.join(lines)


def audit_heading(ontology: Ontology, evidence: Evidence,
                  thresholds: AuditThresholds, confusion: np.ndarray) -> str:
    """What an audit ran on: images, TTA, thresholds and confusion.

    Args:
        ontology (Ontology): The audited map.
        evidence (Evidence): The evidence it was audited with.
        thresholds (AuditThresholds): The audit's thresholds.
        confusion (np.ndarray): The teacher's confusion (identity: none).

    Returns:
        str: One line, ``audit of <map>: ...``.
    """
    return (f'audit of {ontology.path}: {evidence.meta.get("images")} '
            f'images, TTA {evidence.meta.get("tta")}, {thresholds}, '
            f'confusion {"calibrated" if calibrated(confusion) else "none"}')


def draft_agreement(score: dict, reference: str) -> str:
    """One line: a draft's pairs against the map ``reference``.

    Args:
        score (dict): :func:`~.map_draft.pair_scores` of the draft's pairs
            against the reference map's.
        reference (str): The reference map's file.

    Returns:
        str: Precision, recall, agreeing pairs and the pairs in only one.
    """
    return (f'draft vs {reference}: precision {score["precision"]:.3f}, '
            f'recall {score["recall"]:.3f} ({score["true_positives"]} pairs '
            f'agree); only in the draft: {score["extra"]}; missing: '
            f'{score["missing"]}')
