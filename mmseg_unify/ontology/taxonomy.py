# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Taxonomy files: the classes of one dataset, as its label files store them.

A taxonomy file is YAML (format in ``ontology_maps/README.md``)::

    name: demo_coarse
    ignore_index: 255          # optional: value that means "not labelled"
    classes:
      - {id: 0, name: unlabeled, color: [0, 0, 0], void: true}
      - {id: 7, name: road, color: [128, 64, 128]}

``id`` is the raw pixel value in the dataset's own label files. Source
taxonomies (those a model is trained on) use contiguous ids ``0..C-1``.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import yaml

PathLike = Union[str, Path]
# libyaml's safe loader when PyYAML was built with it (same results, faster)
_SafeLoader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


class TaxonomyError(ValueError):
    """A taxonomy or ontology-map file is malformed; the message names it."""


@dataclass(frozen=True)
class TaxonomyClass:
    """One class of a taxonomy.

    Args:
        id (int): Raw pixel value of the class in the label files.
        name (str): Class name, unique within the taxonomy.
        color (tuple[int, int, int]): RGB colour for visualisation.
        void (bool): Whether the class means "unlabelled" in this dataset.
    """
    id: int
    name: str
    color: Tuple[int, int, int]
    void: bool = False


@dataclass(frozen=True)
class Taxonomy:
    """The classes of one dataset.

    Args:
        name (str): Taxonomy name (maps refer to taxonomies by it).
        classes (Sequence[TaxonomyClass]): Classes in file order.
        ignore_index (int): Pixel value that means "not labelled".
        path (str, optional): File the taxonomy was read from.
    """
    name: str
    classes: Tuple[TaxonomyClass, ...]
    ignore_index: int = 255
    path: Optional[str] = None

    @property
    def names(self) -> Tuple[str, ...]:
        """Class names in file order."""
        return tuple(c.name for c in self.classes)

    @property
    def ids(self) -> Tuple[int, ...]:
        """Raw ids in file order."""
        return tuple(c.id for c in self.classes)

    @property
    def palette(self) -> List[List[int]]:
        """Colours in file order, as MMSeg's ``METAINFO['palette']``."""
        return [list(c.color) for c in self.classes]

    @property
    def is_contiguous(self) -> bool:
        """Whether the ids are exactly ``0..C-1`` in file order."""
        return self.ids == tuple(range(len(self.classes)))

    def by_name(self, name: str) -> TaxonomyClass:
        """Return the class called ``name``.

        Raises:
            TaxonomyError: If the taxonomy has no such class.
        """
        for cls in self.classes:
            if cls.name == name:
                return cls
        raise TaxonomyError(f'{self.path or self.name}: unknown class '
                            f'{name!r}; known classes: {list(self.names)}')

    def metainfo(self) -> Dict[str, tuple]:
        """``METAINFO`` for an MMSeg dataset (non-void classes only)."""
        kept = [c for c in self.classes if not c.void]
        return dict(
            classes=tuple(c.name for c in kept),
            palette=[list(c.color) for c in kept])


def _parse_class(entry: dict, where: str) -> TaxonomyClass:
    """Build a :class:`TaxonomyClass` from one ``classes`` entry."""
    if not isinstance(entry, dict) or 'id' not in entry or 'name' not in entry:
        raise TaxonomyError(f'{where}: each class needs "id" and "name", '
                            f'got {entry!r}')
    color = tuple(int(v) for v in entry.get('color', (0, 0, 0)))
    if len(color) != 3 or not all(0 <= v <= 255 for v in color):
        raise TaxonomyError(f'{where}: class {entry["name"]!r} has colour '
                            f'{list(color)}, expected three values in 0..255')
    return TaxonomyClass(
        id=int(entry['id']),
        name=str(entry['name']),
        color=color,
        void=bool(entry.get('void', False)))


def _check_unique(classes: Sequence[TaxonomyClass], path: str) -> None:
    """Raise on duplicate names or ids and on ids outside 0..65535."""
    seen_ids, seen_names = {}, set()
    for cls in classes:
        if not 0 <= cls.id <= 65535:
            raise TaxonomyError(f'{path}: class {cls.name!r} has id {cls.id}, '
                                'outside 0..65535 (label PNGs are 8/16 bit)')
        if cls.id in seen_ids:
            raise TaxonomyError(f'{path}: duplicate id {cls.id} for classes '
                                f'{seen_ids[cls.id]!r} and {cls.name!r}')
        if cls.name in seen_names:
            raise TaxonomyError(f'{path}: duplicate class name {cls.name!r}')
        seen_ids[cls.id] = cls.name
        seen_names.add(cls.name)


def load_taxonomy(path: PathLike) -> Taxonomy:
    """Read and validate a taxonomy YAML file.

    Args:
        path (str | Path): The taxonomy file.

    Returns:
        Taxonomy: The parsed taxonomy.

    Raises:
        TaxonomyError: On a malformed file, naming it and the class at fault.
    """
    path = str(path)
    with open(path, encoding='utf-8') as f:
        data = yaml.load(f, Loader=_SafeLoader)
    if not isinstance(data, dict) or 'name' not in data \
            or not isinstance(data.get('classes'), list):
        raise TaxonomyError(f'{path}: a taxonomy needs "name" and a list '
                            'of "classes"')
    classes = tuple(
        _parse_class(entry, f'{path}: classes[{i}]')
        for i, entry in enumerate(data['classes']))
    _check_unique(classes, path)
    return Taxonomy(
        name=str(data['name']),
        classes=classes,
        ignore_index=int(data.get('ignore_index', 255)),
        path=path)
