# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Checking a parsed ontology map against its two taxonomies.

Errors (:class:`TaxonomyError`) name the file, the line and key, and the
class; warnings are returned as messages so that callers decide how to
report them (:class:`~mmseg_unify.ontology.Ontology` passes them to
``warnings.warn``; ``tools/check_ontology.py`` prints them).
"""
import difflib
from typing import List, Sequence

from .map_file import VOID, MapEntry, MapSpec
from .taxonomy import Taxonomy, TaxonomyError


def _close(name: str, names: Sequence[str]) -> str:
    """A ``; did you mean ...?`` hint, or ``''``."""
    hits = difflib.get_close_matches(name, list(names), n=3)
    return f'; did you mean {hits}?' if hits else ''


def check_names(spec: MapSpec, extra: Taxonomy, source: Taxonomy) -> None:
    """Check that the map's ``extra``/``source`` keys match the files.

    Raises:
        TaxonomyError: If a taxonomy file declares another ``name``.
    """
    for key, tax in (('extra', extra), ('source', source)):
        expected = getattr(spec, key)
        if tax.name != expected:
            raise TaxonomyError(
                f'{spec.path}: key {key!r} is {expected!r} but {tax.path} '
                f'declares name {tax.name!r}')


def check_source(source: Taxonomy) -> None:
    """A source taxonomy must have ids ``0..C-1`` and no class ``void``.

    Raises:
        TaxonomyError: Naming the file and the first class at fault.
    """
    for index, cls in enumerate(source.classes):
        if cls.id != index:
            raise TaxonomyError(
                f'{source.path}: class {cls.name!r} has id {cls.id} at '
                f'position {index}; a source taxonomy needs ids 0..C-1 in '
                'file order (the train ids a model predicts)')
        if cls.name == VOID:
            raise TaxonomyError(f'{source.path}: a source class may not be '
                                f'called {VOID!r} (reserved in maps)')


def check_extra(extra: Taxonomy) -> None:
    """The extra taxonomy's ignore index must be a possible pixel value.

    Raises:
        TaxonomyError: If it is outside ``0..65535``.
    """
    if not 0 <= extra.ignore_index <= 65535:
        raise TaxonomyError(
            f'{extra.path}: ignore_index {extra.ignore_index} is outside '
            '0..65535 (label PNGs are 8/16 bit)')


def check_entry(entry: MapEntry, spec: MapSpec, extra: Taxonomy,
                source: Taxonomy) -> None:
    """Check one ``allowed`` entry.

    Raises:
        TaxonomyError: On an unknown extra or source class, or a source
            class listed twice, naming file, line, key and class.
    """
    where = f'{spec.path}:{entry.line}: allowed.{entry.extra_class}'
    if entry.extra_class not in extra.names:
        raise TaxonomyError(
            f'{where}: unknown extra class {entry.extra_class!r} (not in '
            f'{extra.path}){_close(entry.extra_class, extra.names)}')
    seen = set()
    for name in entry.allowed:
        if name != VOID and name not in source.names:
            raise TaxonomyError(
                f'{where}: unknown source class {name!r} (not in '
                f'{source.path}){_close(name, source.names)}')
        if name in seen:
            raise TaxonomyError(f'{where}: source class {name!r} listed '
                                'twice')
        seen.add(name)


def map_warnings(spec: MapSpec, extra: Taxonomy,
                 source: Taxonomy) -> List[str]:
    """Messages for a valid but suspicious map.

    * an extra class (not marked ``void`` in its taxonomy) that the map does
      not mention: its pixels are treated as void, as the original code did;
    * source classes that no extra class may become: they can never occur
      in pseudo-labels of this dataset.

    Returns:
        list[str]: One message per finding.
    """
    mapped = {e.extra_class for e in spec.entries}
    messages = [
        f'{spec.path}: extra class {cls.name!r} (id {cls.id}) is mapped '
        'nowhere; its pixels are treated as void'
        for cls in extra.classes if cls.name not in mapped and not cls.void
    ]
    reachable = {n for e in spec.entries for n in e.allowed}
    never = [n for n in source.names if n not in reachable]
    if never:
        messages.append(f'{spec.path}: source class(es) {never} can never '
                        f'occur in {spec.extra} (no extra class allows them)')
    return messages


def validate_map(spec: MapSpec, extra: Taxonomy,
                 source: Taxonomy) -> List[str]:
    """Run every check on a map and its taxonomies.

    Args:
        spec (MapSpec): The parsed map.
        extra (Taxonomy): The extra dataset's taxonomy.
        source (Taxonomy): The source taxonomy.

    Returns:
        list[str]: Warning messages (see :func:`map_warnings`).

    Raises:
        TaxonomyError: On the first error found.
    """
    check_names(spec, extra, source)
    check_source(source)
    check_extra(extra)
    for entry in spec.entries:
        check_entry(entry, spec, extra, source)
    return map_warnings(spec, extra, source)
