# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate Mapillary Vistas v1.2 labels in place (nothing is converted).

    python tools/dataset_converters/mapillary_vistas.py data/mapillary \\
        [--out work_dirs/dataset_checks] [--splits training validation] \\
        [--nproc 8]

Mapillary Vistas' label PNGs are palette images whose palette *index* is
the class id (``taxonomies/mapillary_vistas.yaml``: 0 animal--bird .. 65
void--unlabeled); they are read here with PIL, as MMSeg's
``LoadAnnotations`` (pillow backend) reads them. OpenCV would expand the
palette to colours. The layout ``configs/unify/datasets/
mapillary_vistas_extra.py`` reads, as released::

    SRC/<split>/images/<name>.jpg
    SRC/<split>/v1.2/labels/<name>.png

Every image of a split must have its label, of the same size, with ids of
the taxonomy. Every file is checked; the faults are listed in
``OUT/mapillary_vistas_summary.json``.
"""
import argparse
import os
import os.path as osp
import sys
from functools import partial
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_ids, check_output_root,
                                          id_counts, run_items)
from mmseg_unify.utils.label_io import write_json_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'mapillary_vistas'
SPLITS = ('training', 'validation')
VERSION = 'v1.2'


def read_index_label(path: str) -> np.ndarray:
    """The ids of a palette (or grayscale) PNG: its indices, not colours.

    Raises:
        ConversionError: If the file is missing, unreadable, or neither a
            palette nor an 8-bit grayscale image (names file and mode).
    """
    if not osp.isfile(path):
        raise ConversionError(f'label file {path} does not exist')
    try:
        with Image.open(path) as img:
            if img.mode not in ('P', 'L'):
                raise ConversionError(
                    f'{path}: image mode {img.mode!r}, expected a palette '
                    "('P') or grayscale ('L') id image")
            return np.asarray(img, dtype=np.uint8)
    except OSError as e:
        raise ConversionError(f'cannot read label file {path} ({e})') from e


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
        taxonomy (Taxonomy): The mapillary_vistas taxonomy.

    Returns:
        dict: ``status`` ``validated`` and ``ids``, or ``error`` and the
        message (file and value named).
    """
    image, path = item
    try:
        if not osp.isfile(path):
            raise ConversionError(f'{image}: its label {path} is missing')
        label = read_index_label(path)
        check_ids(label, taxonomy.ids, path, taxonomy.ignore_index)
        check_size(label.shape, image, path)
    except (ConversionError, OSError, ValueError) as e:
        return dict(status='error', error=str(e))
    return dict(status='validated', ids=id_counts(label))


def list_items(src: str, splits: Sequence[str],
               version: str) -> List[Tuple[str, str]]:
    """``(image, label)`` of every image of the splits.

    Raises:
        ConversionError: If a split's image folder is missing.
    """
    items = []
    for split in splits:
        folder = osp.join(src, split, 'images')
        if not osp.isdir(folder):
            raise ConversionError(f'image folder {folder} does not exist')
        for name in sorted(os.listdir(folder)):
            if name.endswith('.jpg'):
                items.append((osp.join(folder, name),
                              osp.join(src, split, version, 'labels',
                                       name[:-len('.jpg')] + '.png')))
    return items


def validate(src: str,
             out: str,
             splits: Sequence[str] = SPLITS,
             version: str = VERSION,
             nproc: int = 1) -> ConversionSummary:
    """Validate every label of ``splits``; save the summary in ``out``.

    Args:
        src (str): Mapillary Vistas root (never written).
        out (str): Folder of the summary JSON, outside ``src``.
        splits (Sequence[str]): Default: training, validation.
        version (str): Label version folder. Default: ``v1.2``.
        nproc (int): Worker processes.

    Returns:
        ConversionSummary: Files validated and pixels per id.

    Raises:
        ConversionError: If any file is at fault (after checking all).
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    items = list_items(src, splits, version)
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


def parse_args(argv: Optional[list] = None):
    parser = argparse.ArgumentParser(
        description='Validate Mapillary Vistas palette-index labels against '
        'taxonomies/mapillary_vistas.yaml.')
    parser.add_argument('src',
                        help='Mapillary Vistas root (training/, '
                        'validation/)')
    parser.add_argument('--out',
                        default='work_dirs/dataset_checks',
                        help='folder of the summary JSON')
    parser.add_argument('--splits',
                        nargs='+',
                        default=list(SPLITS),
                        help='default: training validation')
    parser.add_argument('--version',
                        default=VERSION,
                        help='label version folder (default: v1.2)')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return validate(args.src, args.out, args.splits, args.version, args.nproc)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
