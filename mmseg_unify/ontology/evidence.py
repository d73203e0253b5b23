# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Evidence for ontology maps: what a teacher predicts on each extra label.

The *evidence* of a teacher on an extra dataset is a table of pixel counts
``counts[g, c]``: pixels whose raw extra label id is ``g`` and whose
prediction is source class ``c`` (the argmax of the TTA-averaged softmax
that pseudo-labelling uses, without the ontology constraint), and the same
count over *confident* pixels only (largest averaged probability at least a
threshold). The same counting with a label file of source ids instead of
the prediction gives the evidence of a ground truth.

:mod:`.evidence_fit` reads these tables through the teacher's confusion;
:mod:`.map_audit` and :mod:`.map_draft` turn the fits into audit flags and
draft maps.
"""
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np
import torch

from .ontology import Ontology
from .stats import read_label_file

IGNORE_NAME = '(ignore index)'


def cooccurrence(rows, pred, num_rows: int, num_classes: int,
                 mask=None) -> torch.Tensor:
    """Pixel counts of (raw extra id, predicted class) pairs.

    Args:
        rows (Tensor | np.ndarray): Raw extra label ids (validated row
            indices, see :meth:`Ontology.rows`), any shape.
        pred (Tensor | np.ndarray): Source class ids, same shape; values
            outside ``0..num_classes - 1`` (e.g. 255) are not counted.
        num_rows (int): Number of raw ids (rows of the result).
        num_classes (int): Number of source classes.
        mask (Tensor | np.ndarray, optional): Bool, same shape: count only
            these pixels.

    Returns:
        Tensor: ``num_rows x num_classes`` int64 counts (on ``rows``'s
        device).

    Raises:
        ValueError: On different shapes or ids outside ``0..num_rows - 1``.
    """
    rows, pred = torch.as_tensor(rows), torch.as_tensor(pred)
    if rows.shape != pred.shape:
        raise ValueError(f'cooccurrence: label shape {tuple(rows.shape)} '
                         f'differs from prediction {tuple(pred.shape)}')
    rows = rows.reshape(-1).long()
    pred = pred.reshape(-1).long().to(rows.device)
    keep = (pred >= 0) & (pred < num_classes)
    if mask is not None:
        keep &= torch.as_tensor(mask).reshape(-1).to(rows.device)
    if rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= num_rows):
        raise ValueError(f'cooccurrence: raw ids must be in 0..{num_rows - 1}'
                         f', got {int(rows.min())}..{int(rows.max())}')
    index = rows[keep] * num_classes + pred[keep]
    return torch.bincount(index, minlength=num_rows * num_classes).view(
        num_rows, num_classes)


@dataclass
class Evidence:
    """Co-occurrence of extra labels and source classes (see module doc).

    Args:
        extra_ids (list[int]): Raw id of each row.
        extra_names (list[str]): Class name of each row.
        source_names (list[str]): Source class names (columns).
        counts (np.ndarray): ``rows x C`` int64 pixel counts.
        confident (np.ndarray, optional): The same over confident pixels.
        meta (dict): Provenance (taxonomies, teacher, TTA, images, ...).
    """
    extra_ids: List[int]
    extra_names: List[str]
    source_names: List[str]
    counts: np.ndarray
    confident: Optional[np.ndarray] = None
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_matrix(cls, matrix, ontology: Ontology, confident=None,
                    meta: Optional[dict] = None) -> 'Evidence':
        """Keep the rows of the extra taxonomy's classes and ignore index.

        Args:
            matrix (Tensor | np.ndarray): Counts indexed by every raw id
                ``0..len(ontology.known_ids) - 1``.
            ontology (Ontology): Gives the taxonomies (may be unconstrained).
            confident (Tensor | np.ndarray, optional): Confident counts.
            meta (dict, optional): Provenance.
        """
        extra = ontology.extra
        ids = list(extra.ids)
        names = list(extra.names)
        if extra.ignore_index not in ids:
            ids.append(extra.ignore_index)
            names.append(IGNORE_NAME)
        pick = [np.asarray(m)[ids].astype(np.int64) if m is not None else
                None for m in (matrix, confident)]
        meta = dict(meta or {}, extra=extra.name, source=ontology.source.name)
        return cls(ids, names, list(ontology.source.names), pick[0], pick[1],
                   meta)

    @property
    def pixels(self) -> np.ndarray:
        """Pixels per row."""
        return self.counts.sum(axis=1)

    def shares(self) -> np.ndarray:
        """``counts`` divided by the row's pixels (0 for empty rows)."""
        return self.counts / np.maximum(self.pixels, 1)[:, None]

    def low_confidence(self) -> Optional[np.ndarray]:
        """Per row, the share of pixels below the confidence threshold."""
        if self.confident is None:
            return None
        return 1 - self.confident.sum(axis=1) / np.maximum(self.pixels, 1)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (read back by :meth:`from_dict`)."""
        return dict(meta=self.meta, extra_ids=self.extra_ids,
                    extra_names=self.extra_names,
                    source_names=self.source_names,
                    counts=self.counts.tolist(),
                    confident=None if self.confident is None else
                    self.confident.tolist())

    @classmethod
    def from_file(cls, path: str) -> 'Evidence':
        """Read an ``evidence.json`` (or the folder holding one).

        Raises:
            FileNotFoundError: Naming the file.
        """
        if osp.isdir(path):
            path = osp.join(path, 'evidence.json')
        if not osp.isfile(path):
            raise FileNotFoundError(f'evidence file {path} does not exist')
        with open(path) as f:
            return cls.from_dict(json.load(f), path)

    @classmethod
    def from_dict(cls, data: dict, path: str = '<dict>') -> 'Evidence':
        """Rebuild from :meth:`to_dict` output (``path`` named in errors)."""
        try:
            counts = np.asarray(data['counts'], np.int64)
            conf = data.get('confident')
            ev = cls(list(data['extra_ids']), list(data['extra_names']),
                     list(data['source_names']), counts,
                     None if conf is None else np.asarray(conf, np.int64),
                     dict(data.get('meta', {})))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f'{path}: not an evidence file ({e!r})') from e
        shape = (len(ev.extra_ids), len(ev.source_names))
        if counts.shape != shape:
            raise ValueError(f'{path}: counts have shape {counts.shape}, '
                             f'expected {shape} (extra ids x source classes)')
        return ev

    def csv_text(self) -> str:
        """One line per (extra label, source class): counts and shares."""
        lines = ['extra_id,extra_class,source_id,source_class,pixels,share,'
                 'confident_pixels']
        shares = self.shares()
        for r, (g, name) in enumerate(zip(self.extra_ids, self.extra_names)):
            for c, source in enumerate(self.source_names):
                conf = '' if self.confident is None else self.confident[r, c]
                lines.append(f'{g},{_csv(name)},{c},{_csv(source)},'
                             f'{self.counts[r, c]},{shares[r, c]:.6f},{conf}')
        return '\n'.join(lines) + '\n'


def _csv(text: str) -> str:
    """A CSV field, quoted when needed."""
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def count_label_files(ontology: Ontology, extra_files: Sequence[str],
                      truth_files: Sequence[str]) -> np.ndarray:
    """Co-occurrence of raw extra ids with a ground truth in source ids.

    Args:
        ontology (Ontology): Its extra taxonomy defines the raw ids.
        extra_files (Sequence[str]): Label files with raw extra ids.
        truth_files (Sequence[str]): The matching files with source class
            ids (255 or other out-of-range values are not counted).

    Returns:
        np.ndarray: ``len(known_ids) x C`` int64 counts.

    Raises:
        ValueError: If the two lists or two matching files differ in size.
        UnknownLabelIdError: On raw ids the extra taxonomy lacks.
    """
    if len(extra_files) != len(truth_files):
        raise ValueError(f'{len(extra_files)} extra label files but '
                         f'{len(truth_files)} ground-truth files')
    total = torch.zeros(len(ontology.known_ids), ontology.num_classes,
                        dtype=torch.int64)
    for raw_file, truth_file in zip(extra_files, truth_files):
        raw, truth = read_label_file(raw_file), read_label_file(truth_file)
        if raw.shape != truth.shape:
            raise ValueError(f'{raw_file} has size {raw.shape} but '
                             f'{truth_file} has {truth.shape}')
        rows = ontology.rows(raw.astype(np.int64), raw_file)
        total += cooccurrence(rows, truth.astype(np.int64), total.shape[0],
                              total.shape[1])
    return total.numpy()
