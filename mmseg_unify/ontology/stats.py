# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pixel statistics of an extra dataset's label files under an ontology.

Used by ``tools/check_ontology.py``: how many pixels each extra class has,
and which share of them the map fully determines, leaves to the teacher, or
leaves unlabelled (see :meth:`Ontology.kinds`).
"""
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from mmseg_unify.utils import label_io

from .ontology import DETERMINED, TEACHER, VOID_ONLY, Ontology
from .taxonomy import TaxonomyError


def list_label_files(folder: str, suffix: str = '.png') -> List[str]:
    """All files under ``folder`` (recursively) ending in ``suffix``, sorted
    (hidden files such as unfinished writes are skipped).

    Raises:
        FileNotFoundError: If ``folder`` is not a directory.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'label folder {folder} does not exist')
    return [osp.join(folder, rel)
            for rel in label_io.list_label_files(folder, suffix)]


def read_label_file(path: str) -> np.ndarray:
    """A label image as stored (8 or 16 bit, single channel).

    Raises:
        TaxonomyError: If the file cannot be read or has colour channels.
    """
    try:
        return label_io.read_label(path)
    except (OSError, ValueError) as e:
        raise TaxonomyError(f'{e}; expected one channel of raw ids (convert '
                            'colour-coded labels to ids first)') from e


def count_label_file(ontology: Ontology, path: str) -> np.ndarray:
    """Pixels per raw id of one label file (length ``len(known_ids)``).

    Raises:
        UnknownLabelIdError: If the file holds ids the taxonomy lacks.
    """
    label = read_label_file(path)
    counts = np.bincount(label.ravel(), minlength=len(ontology.known_ids))
    present = np.flatnonzero(counts)
    if present.size and (present[-1] >= len(ontology.known_ids) or
                         not ontology.known_ids[present].all()):
        ontology.check_ids(present, path)  # raises, naming file and ids
    return counts[:len(ontology.known_ids)].astype(np.int64)


def count_pixels(ontology: Ontology,
                 files: List[str],
                 progress: Optional[bool] = None) -> np.ndarray:
    """Pixels per raw id over many label files.

    Args:
        ontology (Ontology): The map (its extra taxonomy defines the ids).
        files (list[str]): Label files.
        progress (bool, optional): Show mmengine's progress bar; by default
            only for 20 files or more.

    Returns:
        np.ndarray: int64 counts indexed by raw id.
    """
    if progress is None:
        progress = len(files) >= 20
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(files))
    total = np.zeros(len(ontology.known_ids), dtype=np.int64)
    for path in files:
        total += count_label_file(ontology, path)
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    return total


def kind_shares(ontology: Ontology, counts: np.ndarray) -> Dict[str, float]:
    """Share of pixels per kind (determined / teacher decides / void only).

    Args:
        ontology (Ontology): The map.
        counts (np.ndarray): Pixels per raw id (:func:`count_pixels`).

    Returns:
        dict[str, float]: Fractions summing to 1 (all 0 without pixels).
    """
    kinds = ontology.kinds()
    total = counts.sum()
    return {
        kind: float(counts[kinds == kind].sum() / total) if total else 0.
        for kind in (DETERMINED, TEACHER, VOID_ONLY)
    }
