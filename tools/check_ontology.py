# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Show and check an ontology map, optionally against a dataset's labels.

    python tools/check_ontology.py MAP [--labels DIR] [--suffix .png]

``MAP`` is a map file (or a bare name such as ``a2d2_to_cityscapes``). The
tool validates the map (errors name file, line and class), prints it as a
table (raw id, extra class, allowed source classes, kind) and its warnings.
With ``--labels`` it reads every label file under ``DIR`` (raw ids, 8 or 16
bit PNG), counts pixels per extra class and prints the share of pixels whose
allowed set is a single class (determined), several classes or a class and
void (the teacher decides), or void only. A label file with an id that the
extra taxonomy lacks stops the tool with the file and the id.
"""
import argparse
import sys
import warnings
from typing import List, Optional

import numpy as np

from mmseg_unify.ontology import Ontology, TaxonomyError
from mmseg_unify.ontology.stats import (count_pixels, kind_shares,
                                        list_label_files)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Show and check an ontology map.')
    parser.add_argument('map', help='map file or bare map name')
    parser.add_argument('--labels', help='folder of the extra dataset\'s '
                        'label files (searched recursively)')
    parser.add_argument('--suffix', default='.png',
                        help='label file suffix (default: .png)')
    return parser.parse_args(argv)


def _table(rows: List[List[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return '\n'.join(
        '  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        for r in rows)


def map_table(ontology: Ontology,
              counts: Optional[np.ndarray] = None) -> str:
    """The map as a table, with pixel counts and shares if given."""
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
    return _table(rows)


def main(argv=None) -> int:
    """Run the tool; returns the exit status (1 on any map or label error,
    printed to stderr with the file, line or id at fault)."""
    args = parse_args(argv)
    try:
        report(args)
    except (TaxonomyError, FileNotFoundError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 1
    return 0


def report(args) -> None:
    """Print the map, its warnings and the pixel statistics.

    Raises:
        TaxonomyError: On an invalid map or an unknown id in a label file.
        FileNotFoundError: On a missing map, taxonomy or label folder.
    """
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # printed below instead
        ontology = Ontology.from_file(args.map, warn=False)
    print(f'map: {ontology.path}')
    print(f'extra: {ontology.extra.name} ({ontology.extra.path}) -> '
          f'source: {ontology.source.name} ({ontology.source.path}), '
          f'{ontology.num_classes} classes')
    counts = None
    if args.labels:
        files = list_label_files(args.labels, args.suffix)
        print(f'counting pixels in {len(files)} label files under '
              f'{args.labels}')
        counts = count_pixels(ontology, files)
    print(map_table(ontology, counts))
    print(f'\nwarnings ({len(ontology.messages)}):')
    for message in ontology.messages:
        print(f'  - {message}')
    if counts is not None:
        shares = kind_shares(ontology, counts)
        print(f'\npixels: {int(counts.sum())} in {len(files)} files; ' +
              ', '.join(f'{kind}: {100 * v:.2f}%'
                        for kind, v in shares.items()))


if __name__ == '__main__':
    sys.exit(main())
