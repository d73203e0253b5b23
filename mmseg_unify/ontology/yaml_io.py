# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Writing taxonomy and map YAML files that read back exactly.

Class names are written plain where YAML reads them back unchanged, both as
a mapping key and inside a flow list, and double-quoted otherwise (names
like ``yes``, ``null``, ``1``, ``" sky"`` or ``a: b``).
"""
import json
from typing import Iterable, List, Optional, Sequence

import yaml

from .map_file import DRAFT_KEY, VOID, SafeLoader
from .taxonomy import Taxonomy


def yaml_str(name: str) -> str:
    """``name`` as a YAML scalar that loads back as the same string."""
    plain_ok = name == name.strip() and name != '' and all(
        _reads_back(text, value) for text, value in (
            (f'{name}: 0', {name: 0}),
            (f'[{name}, x]', [name, 'x']),
            (f'{{id: 0, name: {name}}}', {'id': 0, 'name': name})))
    return name if plain_ok else json.dumps(name, ensure_ascii=False)


def _reads_back(text: str, expected) -> bool:
    """Whether ``text`` is YAML that loads as ``expected``."""
    try:
        return yaml.load(text, Loader=SafeLoader) == expected
    except yaml.YAMLError:
        return False


def _flow_list(names: Iterable[str], indent: int, width: int = 79) -> str:
    """``[a, "b c: d"]`` with each name quoted as needed, continued on
    further lines (aligned after the ``[``) beyond ``width`` columns."""
    items = [yaml_str(n) for n in names]
    lines, current, start = [], '[', indent
    for i, item in enumerate(items):
        piece = item + (', ' if i < len(items) - 1 else ']')
        if current.strip() not in ('[', '') and \
                start + len(current + piece.rstrip()) > width:
            lines.append(current.rstrip())
            current, start = ' ' * (indent + 1), 0
        current += piece
    if not items:
        current = '[]'
    return '\n'.join(lines + [current])


def _comment_lines(comment: Optional[str]) -> List[str]:
    """``# ...`` lines for a (multi-line) comment."""
    if not comment:
        return []
    return [f'# {line}'.rstrip() for line in comment.splitlines()]


def dump_taxonomy(taxonomy: Taxonomy, comment: Optional[str] = None) -> str:
    """A taxonomy file's text (format of :func:`load_taxonomy`).

    Args:
        taxonomy (Taxonomy): The classes to write.
        comment (str, optional): Header comment.

    Returns:
        str: YAML text.
    """
    lines = _comment_lines(comment) + [
        f'name: {yaml_str(taxonomy.name)}',
        f'ignore_index: {taxonomy.ignore_index}', 'classes:'
    ]
    for cls in taxonomy.classes:
        color = ', '.join(str(v) for v in cls.color)
        void = ', void: true' if cls.void else ''
        lines.append(f'  - {{id: {cls.id}, name: {yaml_str(cls.name)}, '
                     f'color: [{color}]{void}}}')
    return '\n'.join(lines) + '\n'


def dump_map(extra: str,
             source: str,
             entries: Sequence[tuple],
             data_priors: Optional[dict] = None,
             comment: Optional[str] = None,
             draft: bool = False) -> str:
    """An ontology map file's text.

    Args:
        extra (str): Extra taxonomy name.
        source (str): Source taxonomy name.
        entries (Sequence[tuple]): ``(extra class, allowed names, note)``
            triples; ``note`` (or ``None``) becomes an end-of-line comment.
        data_priors (dict, optional): Provenance ``{dataset, taxonomy}``.
        comment (str, optional): Header comment.
        draft (bool): Mark the map as an unreviewed draft (``draft: true``;
            loading it warns until the line is deleted).

    Returns:
        str: YAML text.
    """
    lines = _comment_lines(comment) + [
        f'extra: {yaml_str(extra)}', f'source: {yaml_str(source)}'
    ]
    if draft:
        lines += ['# REVIEW every entry, then delete the next line',
                  f'{DRAFT_KEY}: true']
    if data_priors:
        lines.append(f'data_priors: {{dataset: '
                     f'{yaml_str(data_priors["dataset"])}, taxonomy: '
                     f'{yaml_str(data_priors["taxonomy"])}}}')
    lines.append('allowed:')
    width = max((len(yaml_str(e[0])) for e in entries), default=0) + 1
    for name, allowed, note in entries:
        key = (yaml_str(name) + ':').ljust(width + 1)
        text = f'  {key} ' + _flow_list(allowed, len(key) + 3)
        lines.append(f'{text}  # {note}' if note else text)
    return '\n'.join(lines) + '\n'


__all__ = ['yaml_str', 'dump_taxonomy', 'dump_map', 'VOID']
