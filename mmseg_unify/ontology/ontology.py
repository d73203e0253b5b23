# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``Ontology``: an extra dataset's labels mapped onto a source taxonomy.

The map is held as arrays indexed by the *raw* extra label id ``g`` (the
pixel value in the extra dataset's label files) and the source class index
``c`` (``0..C-1``), ready for the per-pixel refinement of the paper (§III)
``p~(c) = p(c) * A[g, c]``:

* ``allowed[g, c]``: a pixel labelled ``g`` may become source class ``c``;
* ``void_allowed[g]``: it may also stay unlabelled (``void`` in its set). A
  known id whose set has no source class is always void, so
  ``void_allowed`` is true for it as well (``[]`` and ``[void]`` agree);
* ``known_ids[g]``: ``g`` is a class of the extra taxonomy, or its
  ``ignore_index`` when no class uses that value (then it is void-only).

Rows for ids the taxonomy does not define are all false; :meth:`lookup`
raises :class:`UnknownLabelIdError` for them instead of guessing.
"""
import os.path as osp
import warnings
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

import numpy as np
import torch

from .data_priors import load_data_priors, table_warnings
from .errors import OntologyWarning, UnknownLabelIdError
from .map_file import VOID, MapSpec, load_map_spec, resolve_ontology_file
from .taxonomy import Taxonomy, load_taxonomy
from .validate import validate_map

ArrayLike = Union[np.ndarray, torch.Tensor]

#: What a pixel's allowed set leaves to decide (see :meth:`Ontology.kinds`).
DETERMINED, TEACHER, VOID_ONLY = 'determined', 'teacher decides', 'void only'


class Ontology:
    """Allowed source classes per raw extra label id.

    Build it with :meth:`from_file` (our YAML maps), :meth:`from_data_priors`
    (the published CSV tables) or :meth:`unconstrained` (no priors: the
    Naive Student baseline).

    Args:
        extra (Taxonomy, optional): The extra dataset's taxonomy (raw ids).
            ``None`` only for an unconstrained ontology.
        source (Taxonomy): The source taxonomy (ids ``0..C-1``).
        allowed_sets (Mapping[int, Iterable[int]]): Raw id -> allowed source
            ids. Extra classes missing here have an empty set.
        void_ids (Iterable[int]): Raw ids that may stay unlabelled.
        path (str, optional): The map or table the ontology came from.
        priors (bool): ``False`` marks an unconstrained ontology.
        messages (Iterable[str]): Warnings found while loading.
    """

    def __init__(self,
                 extra: Optional[Taxonomy],
                 source: Taxonomy,
                 allowed_sets: Mapping[int, Iterable[int]],
                 void_ids: Iterable[int],
                 path: Optional[str] = None,
                 priors: bool = True,
                 messages: Iterable[str] = ()) -> None:
        self.extra = extra
        self.source = source
        self.path = path
        self.priors = priors
        self.messages = list(messages)
        self.known_ids = self._known_ids(extra)
        size = len(self.known_ids)
        self.allowed = np.zeros((size, len(source.classes)), dtype=bool)
        self.void_allowed = np.zeros(size, dtype=bool)
        for raw, targets in allowed_sets.items():
            self.allowed[raw, sorted(targets)] = True
        self.void_allowed[sorted(set(void_ids))] = True
        # a known id with no source class is always void
        self.void_allowed |= self.known_ids & ~self.allowed.any(axis=1)
        self._tensors: Dict[str, Dict[str, torch.Tensor]] = {}

    @staticmethod
    def _known_ids(extra: Optional[Taxonomy]) -> np.ndarray:
        """``known_ids`` vector: the taxonomy's ids and its ignore index."""
        if extra is None:
            return np.ones(1, dtype=bool)  # every pixel uses row 0
        size = max(max(extra.ids, default=0), extra.ignore_index) + 1
        known = np.zeros(size, dtype=bool)
        known[list(extra.ids)] = True
        known[extra.ignore_index] = True
        return known

    # ------------------------------------------------------------ builders
    @classmethod
    def from_file(cls, path: str, warn: bool = True) -> 'Ontology':
        """Load and validate a map file and its two taxonomies.

        Args:
            path (str): The map (a path, a path under ``ontology_maps/`` or
                a bare map name such as ``a2d2_to_cityscapes``).
            warn (bool): Emit the map's warnings (:class:`OntologyWarning`).
                They are kept in :attr:`messages` either way.

        Returns:
            Ontology: The validated ontology.

        Raises:
            TaxonomyError: On any error in the map or the taxonomies.
            FileNotFoundError: If the map or a taxonomy file is missing.
        """
        spec = load_map_spec(resolve_ontology_file(path))
        extra = _load_named(spec, 'extra')
        source = _load_named(spec, 'source')
        messages = validate_map(spec, extra, source)
        allowed, void_ids = _sets_from_spec(spec, extra, source)
        ontology = cls(extra, source, allowed, void_ids, spec.path,
                       messages=messages)
        if warn:
            ontology.warn()
        return ontology

    @classmethod
    def from_data_priors(cls, dataset_dir: str, taxonomy: str,
                         warn: bool = True,
                         corrections=None) -> 'Ontology':
        """Build the ontology of a published data-priors table.

        Reads ``<dataset_dir>/lists/labels.csv`` and
        ``master_labels_<taxonomy>.csv`` (see :mod:`.data_priors` for how
        irregular tables are read).

        Args:
            dataset_dir (str): The dataset's folder (or its ``lists``).
            taxonomy (str): Target taxonomy (``cityscapes``, ``mapillary``,
                ``offroad``, ``coco``).
            warn (bool): Emit the table's warnings.
            corrections (Sequence[Correction], optional): Named fixes of
                known table errors; default: those of
                :data:`.data_priors.CORRECTIONS` for the dataset, ``()``
                reads the tables as published.

        Returns:
            Ontology: Extra taxonomy from ``labels.csv``; source taxonomy
            from the table's rows.
        """
        labels, table = load_data_priors(dataset_dir, taxonomy, corrections)
        ontology = cls(labels.taxonomy, table.source, table.allowed,
                       table.void_ids, table.path,
                       messages=table_warnings(table, labels.taxonomy))
        if warn:
            ontology.warn()
        return ontology

    @classmethod
    def unconstrained(cls, source: Union[Taxonomy, str],
                      extra: Union[Taxonomy, str, None] = None
                      ) -> 'Ontology':
        """Every source class allowed everywhere, void nowhere (no priors,
        the Naive Student baseline).

        Args:
            source (Taxonomy | str): Source taxonomy (or its file/name).
            extra (Taxonomy | str, optional): With an extra taxonomy,
                :meth:`lookup` still rejects ids it does not define.

        Returns:
            Ontology: An ontology with ``priors=False``.
        """
        source = _as_taxonomy(source)
        extra = None if extra is None else _as_taxonomy(extra)
        everything = set(range(len(source.classes)))
        rows = [0] if extra is None else \
            list(extra.ids) + [extra.ignore_index]
        return cls(extra, source, {g: everything for g in rows}, (),
                   priors=False)

    # ------------------------------------------------------------- queries
    @property
    def num_classes(self) -> int:
        """Number of source classes ``C``."""
        return len(self.source.classes)

    @property
    def extra_path(self) -> str:
        """The extra taxonomy's file (named in errors)."""
        if self.extra is None:
            return '<any>'
        return self.extra.path or self.extra.name

    def warn(self) -> None:
        """Emit :attr:`messages` as :class:`OntologyWarning`."""
        for message in self.messages:
            warnings.warn(message, OntologyWarning, stacklevel=3)

    def allowed_names(self, raw_id: int) -> List[str]:
        """Allowed source class names of a raw id, ``'void'`` last."""
        names = [self.source.classes[c].name
                 for c in np.flatnonzero(self.allowed[raw_id])]
        return names + [VOID] if self.void_allowed[raw_id] else names

    def kinds(self) -> np.ndarray:
        """What each row leaves to decide, as an object array of
        :data:`DETERMINED` (exactly one source class, no void),
        :data:`VOID_ONLY` (no source class) or :data:`TEACHER` (several
        classes, or one class or void: the teacher's confidence decides)."""
        count = self.allowed.sum(axis=1)
        out = np.full(len(count), TEACHER, dtype=object)
        out[(count == 1) & ~self.void_allowed] = DETERMINED
        out[count == 0] = VOID_ONLY
        return out

    # -------------------------------------------------------------- lookup
    def check_ids(self, label_map: ArrayLike,
                  file: Optional[str] = None) -> None:
        """Raise if ``label_map`` holds ids the extra taxonomy lacks.

        Args:
            label_map (np.ndarray | Tensor): Integer raw label ids.
            file (str, optional): The label file, named in the error.

        Raises:
            UnknownLabelIdError: Naming the file and the offending ids.
        """
        if self.extra is None:
            return
        ids = label_map.unique().cpu().numpy() \
            if isinstance(label_map, torch.Tensor) else np.unique(label_map)
        ids = ids.astype(np.int64)
        inside = (ids >= 0) & (ids < len(self.known_ids))
        bad = ids[~inside].tolist()
        bad += ids[inside][~self.known_ids[ids[inside]]].tolist()
        if bad:
            raise UnknownLabelIdError(bad, file, self.extra_path)

    def rows(self, label_map: ArrayLike, file: Optional[str] = None
             ) -> ArrayLike:
        """Validated row indices (int64) into :attr:`allowed` per pixel.

        Args:
            label_map (np.ndarray | Tensor): Raw extra label ids.
            file (str, optional): The label file, named in errors.

        Returns:
            np.ndarray | Tensor: Same type and shape, int64.
        """
        self.check_ids(label_map, file)
        if isinstance(label_map, torch.Tensor):
            rows = label_map.long()
            return torch.zeros_like(rows) if self.extra is None else rows
        rows = np.asarray(label_map, dtype=np.int64)
        return np.zeros_like(rows) if self.extra is None else rows

    def lookup(self, label_map: ArrayLike, file: Optional[str] = None
               ) -> Tuple[ArrayLike, ArrayLike]:
        """Per-pixel allowed classes of a raw label map.

        Args:
            label_map (np.ndarray | Tensor): ``H x W`` (any shape) raw ids.
            file (str, optional): The label file, named in errors.

        Returns:
            tuple: ``allowed`` of shape ``(*label_map.shape, C)`` and
            ``void`` of ``label_map``'s shape, bool, of the input's type
            (and device).

        Raises:
            UnknownLabelIdError: If an id is not in the extra taxonomy.
        """
        rows = self.rows(label_map, file)
        if isinstance(rows, torch.Tensor):
            tables = self.to_tensors(rows.device)
            return tables['allowed'][rows], tables['void_allowed'][rows]
        return self.allowed[rows], self.void_allowed[rows]

    def to_tensors(self, device: Union[str, torch.device, None] = None
                   ) -> Dict[str, torch.Tensor]:
        """``allowed``, ``void_allowed`` and ``known_ids`` as bool tensors
        on ``device`` (cached)."""
        key = str(torch.device(device or 'cpu'))
        if key not in self._tensors:
            self._tensors[key] = {
                name: torch.from_numpy(getattr(self, name)).to(key)
                for name in ('allowed', 'void_allowed', 'known_ids')
            }
        return self._tensors[key]

    def __repr__(self) -> str:
        extra = self.extra.name if self.extra is not None else '*'
        return (f'{type(self).__name__}({extra} -> {self.source.name}, '
                f'{self.allowed.shape[0]} ids x {self.num_classes} classes, '
                f'priors={self.priors}, path={self.path!r})')


def _as_taxonomy(taxonomy: Union[Taxonomy, str]) -> Taxonomy:
    """A taxonomy object, loading it if given a file or bare name."""
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    return load_taxonomy(resolve_ontology_file(taxonomy, 'taxonomies'))


def _load_named(spec: MapSpec, key: str) -> Taxonomy:
    """Load the taxonomy a map names under ``key`` (``extra``/``source``).

    Raises:
        FileNotFoundError: Naming the map, the key and the file expected.
    """
    name = getattr(spec, key)
    path = spec.taxonomy_file(name)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{spec.path}: {key} taxonomy {name!r} '
                                f'not found: expected {path}')
    return load_taxonomy(path)


def _sets_from_spec(spec: MapSpec, extra: Taxonomy, source: Taxonomy
                    ) -> Tuple[Dict[int, set], set]:
    """Raw id -> allowed source ids, and the void ids, of a valid map."""
    by_name = {cls.name: cls.id for cls in extra.classes}
    index = {name: i for i, name in enumerate(source.names)}
    allowed, void_ids = {}, set()
    for entry in spec.entries:
        raw = by_name[entry.extra_class]
        allowed[raw] = {index[n] for n in entry.allowed if n != VOID}
        if VOID in entry.allowed:
            void_ids.add(raw)
    return allowed, void_ids
