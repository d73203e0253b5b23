# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate BDD100K's semantic id labels in place (nothing is converted).

    python tools/dataset_converters/bdd100k.py data/bdd100k \\
        [--out work_dirs/dataset_checks] [--splits train val] [--nproc 8]

BDD100K ships id PNGs (ids of ``taxonomies/bdd.yaml``: 0 road .. 18
bicycle, 255 void) in the layout ``configs/unify/datasets/bdd_extra.py``
reads::

    SRC/images/10k/<split>/<name>.jpg
    SRC/labels/sem_seg/masks/<split>/<name>.png

Every image of a split that has a mask folder must have its mask, of the
same size, with ids of the taxonomy. Every file is checked; the faults are
listed in ``OUT/bdd100k_summary.json`` and the first ones in the error.
"""
import argparse
import os
import os.path as osp
import sys
from functools import partial
from glob import glob
from typing import List, Optional, Sequence, Tuple

from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_ids, check_output_root,
                                          id_counts, run_items)
from mmseg_unify.utils.label_io import read_label, write_json_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'bdd100k'
TAXONOMY = 'bdd'
IMAGES = osp.join('images', '10k')
MASKS = osp.join('labels', 'sem_seg', 'masks')


def check_size(shape: Tuple[int, ...], image: str, path: str) -> None:
    """Raise unless a label of ``shape`` has the size of ``image``."""
    with Image.open(image) as img:
        h, w = img.height, img.width
    if tuple(shape[:2]) != (h, w):
        raise ConversionError(f'{path}: size {shape[1]}x{shape[0]} differs '
                              f'from its image {image} ({w}x{h})')


def validate_one(item: Tuple[str, str], taxonomy: Taxonomy) -> dict:
    """Check one image's label.

    Args:
        item (tuple[str, str]): Image and its label file.
        taxonomy (Taxonomy): The bdd taxonomy.

    Returns:
        dict: ``status`` ``validated`` and ``ids``, or ``error`` and the
        message (file and value named).
    """
    image, path = item
    try:
        if not osp.isfile(path):
            raise ConversionError(f'{image}: its label {path} is missing')
        label = read_label(path)
        check_ids(label, taxonomy.ids, path, taxonomy.ignore_index)
        check_size(label.shape, image, path)
    except (ConversionError, OSError, ValueError) as e:
        return dict(status='error', error=str(e))
    return dict(status='validated', ids=id_counts(label))


def list_items(src: str,
               splits: Optional[Sequence[str]]) -> List[Tuple[str, str]]:
    """``(image, label)`` of every image of the splits.

    Raises:
        ConversionError: If a split (or every split) is missing.
    """
    if not splits:
        found = glob(osp.join(src, MASKS, '*', ''))
        splits = sorted(osp.basename(osp.dirname(d)) for d in found)
    if not splits:
        raise ConversionError(f'{osp.join(src, MASKS)}: no split folders '
                              '(SRC must be the bdd100k folder)')
    items = []
    for split in splits:
        folder = osp.join(src, IMAGES, split)
        if not osp.isdir(folder):
            raise ConversionError(f'image folder {folder} does not exist')
        for name in sorted(os.listdir(folder)):
            if name.endswith('.jpg'):
                items.append((osp.join(folder, name),
                              osp.join(src, MASKS, split,
                                       name[:-len('.jpg')] + '.png')))
    return items


def validate(src: str,
             out: str,
             splits: Optional[Sequence[str]] = None,
             nproc: int = 1) -> ConversionSummary:
    """Validate every label of ``splits``; save the summary in ``out``.

    Args:
        src (str): The bdd100k folder (never written).
        out (str): Folder of the summary JSON, outside ``src``.
        splits (Sequence[str], optional): Default: every mask folder.
        nproc (int): Worker processes.

    Returns:
        ConversionSummary: Files validated and pixels per id.

    Raises:
        ConversionError: If any file is at fault (after checking all).
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    items = list_items(src, splits)
    print(f'{NAME}: validating {len(items)} labels in {src}')
    results = run_items(partial(validate_one, taxonomy=taxonomy), items, nproc)
    summary = ConversionSummary(NAME, taxonomy.name)
    errors = [r['error'] for r in results if r['status'] == 'error']
    for result in results:
        if result['status'] != 'error':
            summary.add(result)
    path = osp.join(out, f'{NAME}_summary.json')
    write_json_atomic(path, dict(summary.as_dict(), errors=errors))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    print(f'{len(errors)} of {len(items)} labels at fault; summary: {path}')
    if errors:
        raise ConversionError(f'{NAME}: {len(errors)} of {len(items)} labels '
                              f'at fault (all in {path}); first: ' +
                              ' | '.join(errors[:3]))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Validate BDD100K id labels against '
        'taxonomies/bdd.yaml.')
    parser.add_argument('src', help='the bdd100k folder (images/, labels/)')
    parser.add_argument('--out',
                        default='work_dirs/dataset_checks',
                        help='folder of the summary JSON')
    parser.add_argument('--splits',
                        nargs='+',
                        help='default: every labels/sem_seg/masks/<split>')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return validate(args.src, args.out, args.splits, args.nproc)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
