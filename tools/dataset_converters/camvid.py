# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert CamVid's colour-coded labels to raw-id PNGs.

    python tools/dataset_converters/camvid.py SRC [--out data/camvid] \\
        [--nproc 8] [--force]

``SRC`` is CamVid in the SegNet/Kaggle layout that data-priors used::

    SRC/class_dict.csv                 name,r,g,b (32 classes; if absent:
                                       ontology_maps/data-priors/CamVid/
                                       lists/class_dict.csv)
    SRC/<split>/<name>.png             split: train, val, test
    SRC/<split>_labels/<name>_L.png    RGB colour labels

``OUT`` gets the layout ``configs/unify/datasets/camvid_extra.py`` reads::

    OUT/images/<split>/<name>.png      symbolic link to the image
    OUT/labels/<split>/<name>.png      ids of taxonomies/camvid.yaml
    OUT/camvid_summary.json

Each row of ``class_dict.csv`` becomes the id of the taxonomy class of the
same name (case ignored). ``Bridge`` is id 3: data-priors' ``labels.csv``
names that id "Bicyclist" a second time, so the taxonomy calls it
"Bicyclist (id 3)"; its ``prepare_camvid.py`` uses the row index, which is
the same id. A colour that the table lacks is an error.
"""
import argparse
import csv
import os
import os.path as osp
import sys
import uuid
from functools import partial
from glob import glob
from typing import Dict, List, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, id_counts,
                                          needs_writing, run_items)
from mmseg_unify.utils.label_io import read_label, write_png_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'camvid'
ALIASES = {'bridge': 'bicyclist (id 3)'}
LABEL_SUFFIX = '_L.png'


def colour_table(path: str, taxonomy: Taxonomy) -> Dict[int, int]:
    """Packed colour ``r << 16 | g << 8 | b`` -> taxonomy id.

    Args:
        path (str): ``class_dict.csv`` (columns ``name, r, g, b``).
        taxonomy (Taxonomy): The camvid taxonomy.

    Raises:
        ConversionError: Naming the file and the row, column or class at
            fault.
    """
    by_name = {c.name.lower(): c.id for c in taxonomy.classes}
    if not osp.isfile(path):
        raise ConversionError(f'class table {path} does not exist')
    table = {}
    with open(path, newline='') as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                name = row['name'].strip()
                r, g, b = (int(row[k]) for k in 'rgb')
            except (KeyError, TypeError, ValueError) as e:
                raise ConversionError(f'{path}:{line}: expected columns '
                                      f'name,r,g,b; got {row} ({e})') from e
            key = ALIASES.get(name.lower(), name.lower())
            if key not in by_name:
                raise ConversionError(f'{path}:{line}: class {name!r} is '
                                      f'not in {taxonomy.path}')
            table[(r << 16) | (g << 8) | b] = by_name[key]
    return table


def colours_to_ids(rgb: np.ndarray, table: Dict[int, int],
                   path: str) -> np.ndarray:
    """Look every pixel's colour up in ``table``.

    Args:
        rgb (np.ndarray): H x W x 3 ``uint8``, RGB order.
        table (dict[int, int]): Packed colour -> id.
        path (str): The label file, for the error.

    Returns:
        np.ndarray: H x W ``uint8`` ids.

    Raises:
        ConversionError: Naming the file, the first unknown colour and
            where it is.
    """
    rgb = rgb.astype(np.int32)
    codes = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    keys = np.array(sorted(table), dtype=np.int32)
    values = np.array([table[k] for k in keys.tolist()], dtype=np.uint8)
    pos = np.searchsorted(keys, codes).clip(0, len(keys) - 1)
    unknown = keys[pos] != codes
    if unknown.any():
        y, x = (int(v) for v in np.argwhere(unknown)[0])
        r, g, b = (int(v) for v in rgb[y, x])
        raise ConversionError(
            f'{path}: colour RGB ({r}, {g}, {b}) at x={x}, y={y} is not in '
            f'class_dict.csv ({int(unknown.sum())} pixels of unknown '
            'colours)')
    return values[pos]


def read_rgb(path: str) -> np.ndarray:
    """An RGB image as H x W x 3 ``uint8`` (errors name the file)."""
    if not osp.isfile(path):
        raise ConversionError(f'label file {path} does not exist')
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ConversionError(f'cannot read colour label file {path}')
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def link_file(target: str, link: str) -> None:
    """Make ``link`` a symbolic link to ``target``, atomically; an existing
    correct link, or a plain file (a user's copy), is kept."""
    target = osp.realpath(target)
    if osp.islink(link) and os.readlink(link) == target:
        return
    if osp.exists(link) and not osp.islink(link):
        return
    folder = osp.dirname(link)
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(link)}.{uuid.uuid4().hex[:12]}'
                   '.tmp')
    os.symlink(target, tmp)
    os.replace(tmp, link)


def check_size(shape: Tuple[int, ...], image: str, path: str) -> None:
    """Raise unless a label of ``shape`` has the size of ``image``."""
    with Image.open(image) as img:
        h, w = img.height, img.width
    if tuple(shape[:2]) != (h, w):
        raise ConversionError(f'{path}: size {shape[1]}x{shape[0]} differs '
                              f'from its image {image} ({w}x{h})')


def convert_one(item: Tuple[str, str, str, str],
                table: Dict[int, int],
                force: bool = False) -> dict:
    """Convert one label file and link its image.

    Args:
        item (tuple[str, str, str, str]): Native label, native image, image
            link and output label.
        table (dict[int, int]): Packed colour -> id.
        force (bool): Rewrite an existing output label.

    Returns:
        dict: ``status`` (``written``/``kept``) and ``ids``.
    """
    label_src, image_src, image_out, label_out = item
    link_file(image_src, image_out)
    if not needs_writing(label_out, force):
        return dict(status='kept', ids=id_counts(read_label(label_out)))
    ids = colours_to_ids(read_rgb(label_src), table, label_src)
    check_size(ids.shape, image_src, label_src)
    write_png_atomic(label_out, ids)
    return dict(status='written', ids=id_counts(ids))


def list_items(src: str, out: str) -> List[Tuple[str, str, str, str]]:
    """Every image of a split that has a ``<split>_labels`` folder, with
    its label and output paths.

    Raises:
        ConversionError: If there is no split or an image has no label.
    """
    splits = []
    for folder in sorted(glob(osp.join(src, '*_labels'))):
        split = osp.basename(folder)[:-len('_labels')]
        if osp.isdir(osp.join(src, split)):
            splits.append(split)
    if not splits:
        raise ConversionError(f'{src}: no <split>/ and <split>_labels/ '
                              'folders (e.g. train/, train_labels/)')
    items = []
    for split in splits:
        for image in sorted(glob(osp.join(src, split, '*.png'))):
            stem = osp.splitext(osp.basename(image))[0]
            label = osp.join(src, f'{split}_labels', stem + LABEL_SUFFIX)
            if not osp.isfile(label):
                raise ConversionError(f'{image}: its label {label} is '
                                      'missing')
            rel = osp.join(split, stem + '.png')
            image_out = osp.join(out, 'images', rel)
            label_out = osp.join(out, 'labels', rel)
            items.append((label, image, image_out, label_out))
    return items


def table_file(src: str) -> str:
    """``SRC/class_dict.csv``, or the copy shipped in ``ontology_maps/
    data-priors/CamVid/lists/`` if ``SRC`` has none (said in the output)."""
    path = osp.join(src, 'class_dict.csv')
    if osp.isfile(path):
        return path
    shipped = str(ontology_file('data-priors/CamVid/lists/class_dict.csv'))
    print(f'{NAME}: {path} does not exist; using {shipped}')
    return shipped


def convert(src: str,
            out: str,
            nproc: int = 1,
            force: bool = False) -> ConversionSummary:
    """Convert every CamVid label under ``src`` into ``out``.

    Args:
        src (str): CamVid folder (never written).
        out (str): Output root, outside ``src``.
        nproc (int): Worker processes.
        force (bool): Rewrite labels that exist already.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    table = colour_table(table_file(src), taxonomy)
    items = list_items(src, out)
    print(f'{NAME}: {len(items)} label files in {src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    for result in run_items(partial(convert_one, table=table, force=force),
                            items, nproc):
        summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert CamVid colour labels to raw ids of '
        'taxonomies/camvid.yaml.')
    parser.add_argument('src',
                        help='CamVid folder (<split>/, <split>_labels/)')
    parser.add_argument('--out',
                        default=f'data/{NAME}',
                        help='output root (default: data/camvid)')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes')
    parser.add_argument('--force',
                        action='store_true',
                        help='rewrite labels that exist already')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return convert(args.src, args.out, args.nproc, args.force)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
