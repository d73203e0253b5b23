# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Reading the published data-priors tables (CSV) directly.

Layout (``ontology_maps/data-priors/FORMAT.md``): ``<dataset>/lists/``
holds ``labels.csv`` (the dataset's classes; ``name`` and raw ``id``
columns) and ``master_labels_<taxonomy>.csv`` (one row per *target* class:
id, name, then the label names that may become it; the ``255`` row lists
labels that may stay void).

Decisions where the tables are irregular (each one warns, never silently):

* names are compared without surrounding blanks (ApolloScape has
  ``"sky "``); a table name matching only case-insensitively is used, with
  a warning; a name matching no label is ignored, with a warning;
* ``labels.csv`` rows with a negative id (Cityscapes' ``license plate``,
  -1) never occur in label files and are skipped;
* a name used for several ids (RUGD's ``rock_bed`` at 14 and 21; CamVid's
  ``Bicyclist`` at 2 and 3 as published) means all of them; the later ids
  get the unique name ``"<name> (id <id>)"`` in the taxonomy, with a
  warning;
* a label listed in no row is void (warning); a target class listed by no
  label can never occur (warning, from :func:`table_warnings`);
* a known error that the tables' own files contradict is fixed by a named
  :class:`Correction` of :data:`CORRECTIONS` (warning naming it);
  :func:`load_data_priors` applies them unless told ``corrections=()``.
"""
import colorsys
import csv
import os.path as osp
import re
import warnings
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from .errors import OntologyWarning
from .taxonomy import Taxonomy, TaxonomyClass, TaxonomyError

VOID_ROW_ID = 255
VOID_NAMES = ('void', 'unlabeled', 'unlabelled', 'undefined')
_HEX = re.compile(r'^#[0-9a-fA-F]{6}$')


@dataclass(frozen=True)
class Correction:
    """A named correction of one dataset's published tables.

    Args:
        name (str): Short name, quoted in the warning it raises.
        reason (str): Why, naming the files that contradict the table.
        names (dict[int, str]): Raw id -> the name ``labels.csv`` should
            give it.
        cells (dict[tuple[str, str], dict[str, str]]): ``(taxonomy, target
            class)`` -> ``{cell: replacement}`` in that row of
            ``master_labels_<taxonomy>.csv`` (the ``255`` row's class is
            ``void``).
        added (dict[tuple[str, str], tuple[str, ...]]): ``(taxonomy, target
            class)`` -> cells to add to that row.
    """
    name: str
    reason: str
    names: Dict[int, str] = field(default_factory=dict)
    cells: Dict[Tuple[str, str], Dict[str, str]] = field(
        default_factory=dict)
    added: Dict[Tuple[str, str], Tuple[str, ...]] = field(
        default_factory=dict)


#: data-priors folder -> its corrections. CamVid: ``labels.csv`` names raw
#: id 3 "Bicyclist" like id 2, yet its own ``class_dict.csv`` (the colour
#: table that ``prepare_camvid.py`` numbers by row index, as our converter
#: does) has ``Bridge`` at row 3, and ``master_labels_cityscapes.csv`` lists
#: ``Bridge`` in its void row. ``master_labels_mapillary.csv`` was written
#: against the faulty name: its ``construction--structure--bridge`` row lists
#: only ``Bicyclist``, i.e. id 3 (a cyclist is never a bridge).
#: COCO: raw 255 (``void``) is what panoptic segment id 0 (unlabelled:
#: boundaries, regions nobody annotated) becomes. Its three other tables
#: list ``void`` in their ``255`` row, and so does the unlabelled id of
#: every other dataset, but ``master_labels_cityscapes.csv`` does not: every
#: unlabelled COCO pixel would be forced to pole, traffic sign, vegetation,
#: terrain, sky or truck. With ``void`` added it keeps one of those only
#: where the teacher is sure (``void_threshold``), else it stays 255.
CORRECTIONS: Dict[str, Tuple[Correction, ...]] = {
    'CamVid': (Correction(
        name='camvid-id3-bridge',
        reason='class_dict.csv row 3 and the void row of '
        'master_labels_cityscapes.csv call it Bridge',
        names={3: 'Bridge'},
        cells={('mapillary', 'construction--structure--bridge'): {
            'Bicyclist': 'Bridge'}}), ),
    'coco': (Correction(
        name='coco-void-may-stay-void',
        reason='unlabelled pixels may stay unlabelled, as in the void row '
        'of the mapillary, offroad and coco tables',
        added={('cityscapes', 'void'): ('void', )}), ),
}


@dataclass(frozen=True)
class LabelsTable:
    """A dataset's ``labels.csv``.

    Args:
        taxonomy (Taxonomy): Its classes (unique names, ids >= 0).
        ids_by_name (dict[str, list[int]]): Raw ids per name as the master
            tables spell it (blanks stripped; several ids if repeated).
        absent (frozenset[str]): Labels with a negative id: tables may list
            them, label files never hold them.
    """
    taxonomy: Taxonomy
    ids_by_name: Dict[str, List[int]]
    absent: FrozenSet[str] = frozenset()


@dataclass(frozen=True)
class MasterTable:
    """A ``master_labels_<taxonomy>.csv`` resolved against ``labels.csv``.

    Args:
        path (str): The table file.
        source (Taxonomy): The target classes (ids ``0..C-1``).
        allowed (dict[int, set[int]]): Raw id -> allowed target ids.
        void_ids (set[int]): Raw ids listed in the ``255`` row.
    """
    path: str
    source: Taxonomy
    allowed: Dict[int, Set[int]]
    void_ids: Set[int]


def fallback_color(index: int) -> Tuple[int, int, int]:
    """A distinct, deterministic colour for tables without colours."""
    r, g, b = colorsys.hsv_to_rgb((index * 0.618034) % 1.0, 0.65, 0.9)
    return int(r * 255), int(g * 255), int(b * 255)


def read_rows(path: str) -> List[List[str]]:
    """All rows of a CSV file, the header included."""
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.reader(f))


def _color(row: List[str], index: int) -> Tuple[int, int, int]:
    """The ``color`` column (``#rrggbb``) or a fallback colour."""
    value = row[8].strip() if len(row) > 8 else ''
    if _HEX.match(value):
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    return fallback_color(index)


def _is_void(row: List[str], name: str) -> bool:
    """Whether a ``labels.csv`` row means "unlabelled" (``ignoreInEval``
    true, or a name such as ``void``/``unlabeled``)."""
    flag = row[7].strip() if len(row) > 7 else ''
    return flag == 'True' or name.lower() in VOID_NAMES


def read_labels_csv(path: str, name: str,
                    corrections: Sequence[Correction] = ()) -> LabelsTable:
    """Read a dataset's ``labels.csv``.

    Args:
        path (str): The file.
        name (str): Name to give the taxonomy.
        corrections (Sequence[Correction]): Their ``names`` replace the
            file's names of those ids (with a warning each).

    Returns:
        LabelsTable: The taxonomy and the name -> ids index.

    Raises:
        TaxonomyError: On a non-integer or repeated id, naming file and line.
    """
    classes, ids_by_name, seen, absent = [], {}, {}, set()
    for line, row in enumerate(read_rows(path)[1:], start=2):
        if len(row) < 3 or not row[1].strip():
            continue
        label = row[1].strip()
        try:
            raw = int(row[2])
        except ValueError:
            raise TaxonomyError(f'{path}:{line}: label {label!r} has id '
                                f'{row[2]!r}, not an integer') from None
        for fix in corrections:
            if raw in fix.names and fix.names[raw] != label:
                warnings.warn(f'{path}:{line}: correction {fix.name!r}: id '
                              f'{raw} is {fix.names[raw]!r}, not {label!r} '
                              f'({fix.reason})', OntologyWarning)
                label = fix.names[raw]
        if raw < 0:
            absent.add(label)  # e.g. license plate: never in label files
            continue
        if raw in seen:
            raise TaxonomyError(f'{path}:{line}: duplicate id {raw} for '
                                f'{seen[raw]!r} and {label!r}')
        unique = label
        if label in ids_by_name:
            unique = f'{label} (id {raw})'
            warnings.warn(f'{path}:{line}: name {label!r} is used for ids '
                          f'{ids_by_name[label] + [raw]}; id {raw} is called '
                          f'{unique!r} and shares its mapping',
                          OntologyWarning)
        seen[raw] = label
        ids_by_name.setdefault(label, []).append(raw)
        classes.append(TaxonomyClass(raw, unique, _color(row, len(classes)),
                                     _is_void(row, label)))
    return LabelsTable(Taxonomy(name, tuple(classes), 255, path),
                       ids_by_name, frozenset(absent))


def _resolve(cell: str, labels: LabelsTable, where: str) -> List[int]:
    """Raw ids named by one table cell (``[]`` if it names none)."""
    name = cell.strip()
    if not name or name in labels.absent:
        return []
    if name in labels.ids_by_name:
        return labels.ids_by_name[name]
    folded = [n for n in labels.ids_by_name if n.lower() == name.lower()]
    if len(folded) == 1:
        warnings.warn(f'{where}: {cell!r} matches label {folded[0]!r} only '
                      'case-insensitively; used', OntologyWarning)
        return labels.ids_by_name[folded[0]]
    warnings.warn(f'{where}: {cell!r} is not a label of {labels.taxonomy.path}'
                  '; ignored', OntologyWarning)
    return []


def _target_rows(rows: List[List[str]],
                 path: str) -> List[Tuple[int, int, List[str]]]:
    """``(line, target id, cells)`` of the non-empty rows after the header.

    Raises:
        TaxonomyError: On a non-integer target id.
    """
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            out.append((line, int(row[0]), row))
        except ValueError:
            raise TaxonomyError(f'{path}:{line}: target id {row[0]!r} is not '
                                'an integer') from None
    return out


def _source_taxonomy(rows, path: str, name: str) -> Taxonomy:
    """The target classes of a master table (all rows but ``255``).

    Raises:
        TaxonomyError: If the target ids are not ``0..C-1`` in order.
    """
    classes = []
    for line, target, row in rows:
        if target == VOID_ROW_ID:
            continue
        if target != len(classes):
            raise TaxonomyError(f'{path}:{line}: target id {target}, '
                                f'expected {len(classes)} (ids 0..C-1 in '
                                'order)')
        classes.append(TaxonomyClass(target, row[1].strip(),
                                     fallback_color(target)))
    return Taxonomy(name, tuple(classes), 255, path)


def _corrected(cell: str, row: Tuple[str, str],
               corrections: Sequence[Correction], where: str) -> str:
    """``cell`` of target row ``(taxonomy, class)``, corrected."""
    for fix in corrections:
        replacement = fix.cells.get(row, {}).get(cell.strip())
        if replacement is not None:
            warnings.warn(f'{where}: correction {fix.name!r}: {cell!r} in row '
                          f'{row[1]!r} read as {replacement!r}',
                          OntologyWarning)
            return replacement
    return cell


def read_master_table(path: str, labels: LabelsTable, taxonomy: str,
                      corrections: Sequence[Correction] = ()
                      ) -> MasterTable:
    """Read ``master_labels_<taxonomy>.csv`` against a dataset's labels.

    Args:
        path (str): The table file.
        labels (LabelsTable): The same dataset's ``labels.csv``.
        taxonomy (str): Target taxonomy name (``cityscapes``, ...).
        corrections (Sequence[Correction]): Their ``cells`` for this
            taxonomy replace those cells (with a warning each).

    Returns:
        MasterTable: Allowed target ids and the void row per raw id.
    """
    rows = _target_rows(read_rows(path), path)
    source = _source_taxonomy(rows, path, taxonomy)
    allowed = {raw: set() for raw in labels.taxonomy.ids}
    void_ids = set()
    for line, target, row in rows:
        where, key = f'{path}:{line}', (taxonomy, row[1].strip())
        cells = [_corrected(cell, key, corrections, where)
                 for cell in row[2:]]
        for fix in corrections:
            for cell in fix.added.get(key, ()):
                warnings.warn(f'{where}: correction {fix.name!r}: {cell!r} '
                              f'added to row {key[1]!r} ({fix.reason})',
                              OntologyWarning)
                cells.append(cell)
        for cell in cells:
            for raw in _resolve(cell, labels, where):
                if target == VOID_ROW_ID:
                    void_ids.add(raw)
                else:
                    allowed[raw].add(target)
    return MasterTable(path, source, allowed, void_ids)


def table_warnings(table: MasterTable, extra: Taxonomy) -> List[str]:
    """Messages for labels listed nowhere and targets listed by no label."""
    messages = [
        f'{table.path}: label {cls.name!r} (id {cls.id}) is listed in no '
        'row; treated as void' for cls in extra.classes
        if not table.allowed[cls.id] and cls.id not in table.void_ids
    ]
    reachable = set().union(*table.allowed.values())
    never = [c.name for c in table.source.classes if c.id not in reachable]
    if never:
        messages.append(f'{table.path}: target class(es) {never} are listed '
                        'by no label; they can never occur in this dataset')
    return messages


def load_data_priors(dataset_dir: str, taxonomy: str,
                     corrections: Optional[Sequence[Correction]] = None
                     ) -> Tuple[LabelsTable, MasterTable]:
    """Read ``labels.csv`` and ``master_labels_<taxonomy>.csv`` of a dataset.

    Args:
        dataset_dir (str): ``<dataset>`` or ``<dataset>/lists`` folder.
        taxonomy (str): Target taxonomy name.
        corrections (Sequence[Correction], optional): Default: those of
            :data:`CORRECTIONS` for the folder's name; ``()`` reads the
            tables as published.

    Returns:
        tuple[LabelsTable, MasterTable]: The two tables.

    Raises:
        FileNotFoundError: If a file is missing.
    """
    lists = dataset_dir
    if osp.isdir(osp.join(dataset_dir, 'lists')):
        lists = osp.join(dataset_dir, 'lists')
    name = osp.basename(osp.normpath(dataset_dir))
    if name == 'lists':
        name = osp.basename(osp.dirname(osp.normpath(dataset_dir)))
    if corrections is None:
        corrections = CORRECTIONS.get(name, ())
    labels = read_labels_csv(osp.join(lists, 'labels.csv'), name, corrections)
    table = read_master_table(
        osp.join(lists, f'master_labels_{taxonomy}.csv'), labels, taxonomy,
        corrections)
    return labels, table
