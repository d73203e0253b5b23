# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Reading ontology-map YAML files (format in ``ontology_maps/README.md``).

A map says, for each class of an *extra* dataset, which classes of the
*source* taxonomy its pixels may become::

    extra: a2d2                 # taxonomies/a2d2.yaml (its ``name`` too)
    source: cityscapes          # taxonomies/cityscapes.yaml
    allowed:
      buildings: [building, wall, void]   # void: may stay unlabelled
      ego car: []                          # always unlabelled

This module only parses the file (keeping the line of every entry for
error messages); :mod:`.validate` checks it against the two taxonomies.

A map drafted by ``tools/check_ontology.py --suggest`` carries the top-level
line ``draft: true``; loading it warns (:class:`OntologyWarning`) until a
person has reviewed the entries and deleted that line.
"""
import os.path as osp
import warnings
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import yaml

from mmseg_unify.utils.paths import ontology_file
from .errors import OntologyWarning
from .taxonomy import TaxonomyError

VOID = 'void'
DRAFT_KEY = 'draft'
#: libyaml's loader when PyYAML has it (10x faster), same results
SafeLoader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
TOP_LEVEL_KEYS = ('extra', 'source', 'allowed', 'data_priors', DRAFT_KEY)
_STR_TAG = 'tag:yaml.org,2002:str'
_BOOL_TAG = 'tag:yaml.org,2002:bool'


@dataclass(frozen=True)
class MapEntry:
    """One ``allowed`` entry of a map file.

    Args:
        extra_class (str): Extra-dataset class name (the key).
        allowed (tuple[str]): Source class names, possibly ``'void'``.
        line (int): 1-based line of the key in the file.
    """
    extra_class: str
    allowed: Tuple[str, ...]
    line: int


@dataclass(frozen=True)
class MapSpec:
    """A parsed, not yet validated, ontology-map file.

    Args:
        path (str): The map file.
        extra (str): Name of the extra taxonomy.
        source (str): Name of the source taxonomy.
        entries (tuple[MapEntry]): The ``allowed`` entries in file order.
        data_priors (dict, optional): Provenance of a converted map:
            ``{dataset: <data-priors folder>, taxonomy: <target>}``.
        draft (bool): The file is marked as an unreviewed draft.
    """
    path: str
    extra: str
    source: str
    entries: Tuple[MapEntry, ...]
    data_priors: Optional[Dict[str, str]] = None
    draft: bool = False

    def taxonomy_file(self, name: str) -> str:
        """The taxonomy file of ``name``: ``../taxonomies/<name>.yaml``
        relative to the map file."""
        root = osp.dirname(osp.dirname(osp.abspath(self.path)))
        return osp.join(root, 'taxonomies', f'{name}.yaml')


def resolve_ontology_file(path: str, folder: str = 'maps') -> str:
    """Find a map or taxonomy file.

    Tries ``path`` itself, then the same path inside the package's
    ``ontology_maps`` folder (configs say ``ontology_maps/maps/x.yaml``),
    then ``ontology_maps/<folder>/<path>.yaml`` for a bare name such as
    ``a2d2_to_cityscapes`` or ``a2d2``.

    Args:
        path (str): A file path or a bare name.
        folder (str): ``'maps'`` or ``'taxonomies'``, for bare names.

    Returns:
        str: An existing file.

    Raises:
        FileNotFoundError: Listing the places tried.
    """
    path = str(path)
    tried = [path]
    if osp.isfile(path):
        return path
    rel = path.replace(osp.sep, '/').split('ontology_maps/', 1)[-1]
    tried.append(str(ontology_file(rel)))
    if '/' not in path and not path.endswith('.yaml'):
        tried.append(str(ontology_file(f'{folder}/{path}.yaml')))
    for candidate in tried[1:]:
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'ontology file not found; tried {tried}')


def _where(path: str, node: yaml.Node) -> str:
    """``file:line`` of a YAML node."""
    return f'{path}:{node.start_mark.line + 1}'


def _string(node: yaml.Node, path: str, what: str) -> str:
    """The value of a scalar node that must be a string.

    Raises:
        TaxonomyError: If the node is not a plain string (e.g. an unquoted
            ``yes``, ``null`` or number).
    """
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR_TAG:
        raise TaxonomyError(
            f'{_where(path, node)}: {what} {node.value!r} is not a string; '
            'quote class names that YAML reads as numbers, booleans or '
            'null (e.g. "yes", "1", "null")')
    return node.value


def _parse_entry(key: yaml.Node, value: yaml.Node, path: str) -> MapEntry:
    """Parse one ``extra class: [source classes]`` pair."""
    name = _string(key, path, 'extra class')
    where = f'{_where(path, key)}: allowed.{name}'
    if not isinstance(value, yaml.SequenceNode):
        raise TaxonomyError(f'{where}: expected a list of source classes '
                            f'(use [] for "always void"), got {value.value!r}')
    names = tuple(_string(v, path, f'allowed.{name}: source class')
                  for v in value.value)
    return MapEntry(extra_class=name, allowed=names,
                    line=key.start_mark.line + 1)


def _parse_allowed(node: yaml.Node, path: str) -> Tuple[MapEntry, ...]:
    """Parse the ``allowed`` mapping, rejecting duplicate keys."""
    if not isinstance(node, yaml.MappingNode):
        raise TaxonomyError(f'{_where(path, node)}: "allowed" must map '
                            'extra class names to lists of source classes')
    entries, lines = [], {}
    for key, value in node.value:
        entry = _parse_entry(key, value, path)
        if entry.extra_class in lines:
            raise TaxonomyError(
                f'{path}:{entry.line}: allowed.{entry.extra_class}: extra '
                f'class listed twice (first on line '
                f'{lines[entry.extra_class]})')
        lines[entry.extra_class] = entry.line
        entries.append(entry)
    return tuple(entries)


def _top_level(root: Optional[yaml.Node], path: str) -> Dict[str, yaml.Node]:
    """The top-level keys of a map file, checked for unknown/missing ones."""
    if not isinstance(root, yaml.MappingNode):
        raise TaxonomyError(f'{path}: an ontology map is a mapping with keys '
                            '"extra", "source" and "allowed"')
    nodes = {}
    for key, value in root.value:
        name = _string(key, path, 'key')
        if name not in TOP_LEVEL_KEYS:
            raise TaxonomyError(f'{_where(path, key)}: unknown key {name!r}; '
                                f'expected one of {list(TOP_LEVEL_KEYS)}')
        nodes[name] = value
    for name in ('extra', 'source', 'allowed'):
        if name not in nodes:
            raise TaxonomyError(f'{path}: missing key {name!r}')
    return nodes


def _provenance(node: yaml.Node, path: str) -> Dict[str, str]:
    """The ``data_priors: {dataset: ..., taxonomy: ...}`` mapping."""
    if isinstance(node, yaml.MappingNode):
        value = {_string(k, path, 'key'): _string(v, path, 'value')
                 for k, v in node.value}
        if set(value) == {'dataset', 'taxonomy'}:
            return value
    raise TaxonomyError(f'{_where(path, node)}: data_priors must be '
                        '{dataset: <folder>, taxonomy: <target taxonomy>}')


def _draft_mark(node: yaml.Node, path: str) -> bool:
    """The value of ``draft:`` (``true`` or ``false``).

    Raises:
        TaxonomyError: If it is not a YAML boolean.
    """
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL_TAG:
        return node.value.lower() in ('true', 'yes', 'on')
    raise TaxonomyError(f'{_where(path, node)}: {DRAFT_KEY} must be true '
                        f'(an unreviewed draft) or false, got {node.value!r}')


def draft_message(path: str) -> str:
    """The warning for a map still marked as a draft."""
    return (f'{path} is a DRAFT map (made from a teacher\'s predictions by '
            'tools/check_ontology.py --suggest): review every entry (audit '
            'it with --audit), then delete the line "draft: true"')


def load_map_spec(path: str, warn_draft: bool = True) -> MapSpec:
    """Parse an ontology-map file.

    Args:
        path (str): The map file.
        warn_draft (bool): Warn (:class:`OntologyWarning`) if the file is
            marked ``draft: true``. Default: True.

    Returns:
        MapSpec: Its contents, with line numbers.

    Raises:
        TaxonomyError: On malformed YAML, unknown or missing keys, non-string
            class names, extra classes listed twice and a ``draft`` value
            that is no boolean, naming file and line.
    """
    path = str(path)
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as err:
        raise TaxonomyError(f'{path}: not valid YAML: {err}') from err
    nodes = _top_level(root, path)
    data_priors = None
    if 'data_priors' in nodes:
        data_priors = _provenance(nodes['data_priors'], path)
    draft = DRAFT_KEY in nodes and _draft_mark(nodes[DRAFT_KEY], path)
    if draft and warn_draft:
        warnings.warn(draft_message(path), OntologyWarning, stacklevel=2)
    return MapSpec(
        path=path,
        extra=_string(nodes['extra'], path, 'extra'),
        source=_string(nodes['source'], path, 'source'),
        entries=_parse_allowed(nodes['allowed'], path),
        data_priors=data_priors,
        draft=draft)
