# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What every dataset converter under ``tools/dataset_converters/`` shares.

A converter turns one dataset's native labels into raw-id PNGs of a taxonomy
under ``ontology_maps/taxonomies/`` (or, where the native labels already are
id PNGs, validates them). The rules, enforced here once:

* the source folder is never written: the output root may not be, lie
  inside, or contain it (:func:`check_output_root`);
* every output file is written atomically with ordinary permissions
  (:func:`~mmseg_unify.utils.label_io.write_png_atomic`);
* idempotent: an output that exists and decodes is kept, unless ``force``
  (:func:`needs_writing`), so an interrupted conversion is resumed by running
  the same command again;
* work items run in parallel with ``nproc`` processes and a progress bar
  (mmengine's ``track_parallel_progress``), and the conversion ends with a
  summary (:class:`ConversionSummary`) that says what was written, kept and
  found.

Errors name the file and the value at fault (:class:`ConversionError`).
"""
import json
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from .label_io import read_label, write_json_atomic
from .output_guard import check_output_folders


class ConversionError(ValueError):
    """A native label cannot be converted (names the file and value)."""


def check_output_root(out_root: str, source_root: str,
                      flag: str = '--out') -> None:
    """Refuse an output root that is, lies inside, or contains the source.

    Raises:
        ValueError: Naming both folders and the flag.
    """
    check_output_folders({flag: out_root}, [osp.realpath(source_root)])


def needs_writing(path: str, force: bool = False) -> bool:
    """Whether ``path`` must be (re)written: missing, unreadable, or
    ``force``."""
    if force or not osp.isfile(path):
        return True
    try:
        read_label(path)
    except (OSError, ValueError):
        return True
    return False


@dataclass
class ConversionSummary:
    """Counts of one conversion run, printed and saved as JSON.

    Args:
        dataset (str): Dataset name.
        taxonomy (str): Target taxonomy name.
    """
    dataset: str
    taxonomy: str
    written: int = 0
    kept: int = 0
    validated: int = 0
    pixels_per_id: Counter = field(default_factory=Counter)

    def add(self, result: Optional[dict]) -> None:
        """Add the result dict of one work item (``status``: ``written``,
        ``kept`` or ``validated``; optional ``ids``: ``{id: pixels}``)."""
        if not result:
            return
        setattr(self, result['status'], getattr(self, result['status']) + 1)
        self.pixels_per_id.update(
            {int(k): int(v) for k, v in result.get('ids', {}).items()})

    def as_dict(self) -> dict:
        return dict(dataset=self.dataset, taxonomy=self.taxonomy,
                    written=self.written, kept=self.kept,
                    validated=self.validated,
                    pixels_per_id={str(k): v for k, v in
                                   sorted(self.pixels_per_id.items())})

    def report(self, names: Optional[Dict[int, str]] = None) -> str:
        """A short text: counts, then pixels per id (with names)."""
        lines = [f'{self.dataset} -> {self.taxonomy}: {self.written} '
                 f'written, {self.kept} kept (already there), '
                 f'{self.validated} validated']
        total = sum(self.pixels_per_id.values()) or 1
        for i, n in sorted(self.pixels_per_id.items()):
            name = (names or {}).get(i, '?')
            lines.append(f'  {i:5d} {name:30s} {100 * n / total:6.2f} %')
        return '\n'.join(lines)

    def save(self, path: str) -> None:
        write_json_atomic(path, self.as_dict())


def run_items(func: Callable[[object], Optional[dict]],
              items: Sequence, nproc: int = 1) -> List[Optional[dict]]:
    """Run ``func`` on every item with a progress bar, in ``nproc``
    processes (``func`` must be picklable: a module-level function or a
    ``functools.partial`` of one)."""
    import mmengine
    if not items:
        return []
    if nproc > 1:
        return mmengine.track_parallel_progress(func, list(items), nproc)
    return mmengine.track_progress(func, list(items))


def id_counts(label) -> Dict[int, int]:
    """``{id: pixels}`` of a label array."""
    import numpy as np
    values, counts = np.unique(label, return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


def check_ids(label, known: Iterable[int], path: str,
              ignore_index: Optional[int] = None) -> None:
    """Raise unless every id of ``label`` is in ``known`` (or is
    ``ignore_index``).

    Raises:
        ConversionError: Naming the file and the unknown ids.
    """
    import numpy as np
    allowed = set(int(k) for k in known)
    if ignore_index is not None:
        allowed.add(int(ignore_index))
    present = set(np.unique(label).tolist())
    unknown = sorted(present - allowed)
    if unknown:
        raise ConversionError(
            f'{path}: label ids {unknown} are not in the taxonomy')


def load_json(path: str):
    """``json.load`` with the file named in the error."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ConversionError(f'{path}: cannot read JSON ({e})') from e
