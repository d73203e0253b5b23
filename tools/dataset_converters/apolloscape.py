# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate ApolloScape scene-parsing id labels in place (nothing is
converted).

    python tools/dataset_converters/apolloscape.py data/apolloscape \\
        [--out work_dirs/dataset_checks] [--nproc 8]

ApolloScape ships class-id PNGs (``*_bin.png``; the ids of
``taxonomies/apolloscape.yaml``, e.g. 17 sky, 33 car, 49 road, 255
unlabeled). ``configs/unify/datasets/apolloscape_extra.py`` reads one road
folder as released::

    SRC/ColorImage/Record*/Camera */<name>.jpg
    SRC/Label/Record*/Camera */<name>_bin.png

``SRC`` may be such a folder, or the folder of several (``road01_ins/``,
``road02_seg/``, ...), each validated; the config then needs one entry per
road folder (or one folder that merges them). Every image must have its
label, of the same size, with ids of the taxonomy. Every file is checked;
the faults are listed in ``OUT/apolloscape_summary.json``.
"""
import argparse
import os.path as osp
import sys
from functools import partial
from glob import glob
from typing import List, Tuple

from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_ids, check_output_root,
                                          id_counts, run_items)
from mmseg_unify.utils.label_io import read_label, write_json_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'apolloscape'
LABEL_SUFFIX = '_bin.png'


def check_size(shape: Tuple[int, ...], image: str, path: str) -> None:
    """Raise unless a label of ``shape`` has the size of ``image``."""
    with Image.open(image) as img:
        h, w = img.height, img.width
    if tuple(shape[:2]) != (h, w):
        raise ConversionError(f'{path}: size {shape[1]}x{shape[0]} differs '
                              f'from its image {image} ({w}x{h})')


def missing_label(image: str, path: str) -> ConversionError:
    """The error for an image without ``path``, with a hint when the label
    exists without the ``_bin`` part of its name."""
    plain = path[:-len(LABEL_SUFFIX)] + '.png'
    hint = (f' ({plain} exists: this folder names its labels without '
            "'_bin'; set seg_map_suffix='.png')") if osp.isfile(plain) else ''
    return ConversionError(f'{image}: its label {path} is missing{hint}')


def validate_one(item: Tuple[str, str], taxonomy: Taxonomy) -> dict:
    """Check one image's label.

    Args:
        item (tuple[str, str]): Image and its label file.
        taxonomy (Taxonomy): The apolloscape taxonomy.

    Returns:
        dict: ``status`` ``validated`` and ``ids``, or ``error`` and the
        message (file and value named).
    """
    image, path = item
    try:
        if not osp.isfile(path):
            raise missing_label(image, path)
        label = read_label(path)
        check_ids(label, taxonomy.ids, path, taxonomy.ignore_index)
        check_size(label.shape, image, path)
    except (ConversionError, OSError, ValueError) as e:
        return dict(status='error', error=str(e))
    return dict(status='validated', ids=id_counts(label))


def road_folders(src: str) -> List[str]:
    """``src`` if it holds ``ColorImage/``, else its sub-folders that do.

    Raises:
        ConversionError: If there is none.
    """
    if osp.isdir(osp.join(src, 'ColorImage')):
        return [src]
    roads = sorted(
        osp.dirname(osp.dirname(d))
        for d in glob(osp.join(src, '*', 'ColorImage', '')))
    if not roads:
        raise ConversionError(f'{src}: no ColorImage/ folder, neither here '
                              'nor in a sub-folder (e.g. road01_ins/)')
    return roads


def list_items(src: str) -> List[Tuple[str, str]]:
    """``(image, label)`` of every image of every road folder."""
    items = []
    for road in road_folders(src):
        pattern = osp.join(road, 'ColorImage', '**', '*.jpg')
        for image in sorted(glob(pattern, recursive=True)):
            rel = osp.relpath(image, osp.join(road, 'ColorImage'))
            items.append((image,
                          osp.join(road, 'Label',
                                   rel[:-len('.jpg')] + LABEL_SUFFIX)))
    if not items:
        raise ConversionError(f'{src}: no images ColorImage/**/*.jpg')
    return items


def validate(src: str, out: str, nproc: int = 1) -> ConversionSummary:
    """Validate every label under ``src``; save the summary in ``out``.

    Args:
        src (str): A road folder or a folder of them (never written).
        out (str): Folder of the summary JSON, outside ``src``.
        nproc (int): Worker processes.

    Returns:
        ConversionSummary: Files validated and pixels per id.

    Raises:
        ConversionError: If any file is at fault (after checking all).
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    items = list_items(src)
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
        description='Validate ApolloScape id labels against '
        'taxonomies/apolloscape.yaml.')
    parser.add_argument('src',
                        help='a road folder (ColorImage/, Label/) '
                        'or a folder of them')
    parser.add_argument('--out',
                        default='work_dirs/dataset_checks',
                        help='folder of the summary JSON')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return validate(args.src, args.out, args.nproc)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
