# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Render IDD's polygon annotations to raw-id PNGs.

    python tools/dataset_converters/idd.py SRC [--out data/idd] \\
        [--nproc 8] [--force]

``SRC`` is IDD segmentation as downloaded (``IDD_Segmentation``)::

    SRC/leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.png   (or .jpg)
    SRC/gtFine/<split>/<seq>/<frame>_gtFine_polygons.json

``OUT`` gets the layout ``configs/unify/datasets/idd_extra.py`` reads::

    OUT/leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.png   symbolic link
    OUT/gtFine/<split>/<seq>/<frame>_gtFine_labelids.png    ids (see below)
    OUT/idd_summary.json

The ids are those of ``taxonomies/idd.yaml`` (data-priors ``IDD/lists/
labels.csv``), looked up by the polygon's label name; they are not IDD's
own level1..level4 ids. As in Cityscapes' ``json2labelImg``, polygons are
filled in file order (later ones on top), deleted ones are skipped, and a
name missing from the taxonomy is tried without a trailing ``group``.
Pixels that no polygon covers get id 0 (``void``), as in data-priors'
``prepare_idd.py``. A label that the taxonomy lacks is an error.
"""
import argparse
import os
import os.path as osp
import sys
import uuid
from functools import partial
from glob import glob
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image, ImageDraw

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, id_counts,
                                          load_json, needs_writing, run_items)
from mmseg_unify.utils.label_io import read_label, write_png_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'idd'
BACKGROUND = 0
JSON_SUFFIX = '_gtFine_polygons.json'
LABEL_SUFFIX = '_gtFine_labelids.png'
IMAGE_SUFFIXES = ('_leftImg8bit.png', '_leftImg8bit.jpg')


def label_id(name: str, ids: Dict[str, int], path: str, index: int) -> int:
    """The taxonomy id of a polygon label.

    Args:
        name (str): The polygon's ``label``.
        ids (dict[str, int]): Taxonomy class name -> id.
        path (str): The JSON file, for the error.
        index (int): The object's position in the file, for the error.

    Raises:
        ConversionError: If neither the name nor the name without a
            trailing ``group`` is a taxonomy class.
    """
    if not isinstance(name, str):
        raise ConversionError(f'{path}: object {index} has no label')
    if name in ids:
        return ids[name]
    if name.endswith('group') and name[:-len('group')] in ids:
        return ids[name[:-len('group')]]
    raise ConversionError(f'{path}: object {index} has label {name!r}, '
                          'which is not a class of taxonomies/idd.yaml')


def render(path: str, ids: Dict[str, int]) -> np.ndarray:
    """Fill the polygons of one annotation file.

    Args:
        path (str): A ``*_gtFine_polygons.json`` file.
        ids (dict[str, int]): Taxonomy class name -> id.

    Returns:
        np.ndarray: ``imgHeight`` x ``imgWidth`` ``uint8`` ids.

    Raises:
        ConversionError: On missing keys or unknown labels (file named).
    """
    ann = load_json(path)
    try:
        size = (int(ann['imgWidth']), int(ann['imgHeight']))
        objects = ann['objects']
    except (KeyError, TypeError, ValueError) as e:
        raise ConversionError(f'{path}: expected imgWidth, imgHeight and '
                              f'objects ({e!r} is missing or wrong)') from e
    canvas = Image.new('L', size, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for index, obj in enumerate(objects):
        if obj.get('deleted'):
            continue
        value = label_id(obj.get('label'), ids, path, index)
        try:
            points = [(float(x), float(y)) for x, y in obj.get('polygon', [])]
        except (TypeError, ValueError) as e:
            raise ConversionError(f'{path}: object {index} has a malformed '
                                  f'polygon ({e})') from e
        if len(points) >= 2:
            draw.polygon(points, fill=value)
    return np.asarray(canvas, dtype=np.uint8)


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
                ids: Dict[str, int],
                force: bool = False) -> dict:
    """Render one annotation file and link its image.

    Args:
        item (tuple[str, str, str, str]): Polygon JSON, native image, image
            link and output label.
        ids (dict[str, int]): Taxonomy class name -> id.
        force (bool): Rewrite an existing output label.

    Returns:
        dict: ``status`` (``written``/``kept``) and ``ids``.
    """
    json_src, image_src, image_out, label_out = item
    link_file(image_src, image_out)
    if not needs_writing(label_out, force):
        return dict(status='kept', ids=id_counts(read_label(label_out)))
    label = render(json_src, ids)
    check_size(label.shape, image_src, json_src)
    write_png_atomic(label_out, label)
    return dict(status='written', ids=id_counts(label))


def find_image(src: str, split_rel: str, frame: str, path: str) -> str:
    """The image of an annotation file (``.png`` or ``.jpg``).

    Raises:
        ConversionError: If neither exists.
    """
    for suffix in IMAGE_SUFFIXES:
        image = osp.join(src, 'leftImg8bit', split_rel, frame + suffix)
        if osp.isfile(image):
            return image
    raise ConversionError(f'{path}: its image {image[:-4]}.png/.jpg is '
                          'missing')


def list_items(src: str, out: str) -> List[Tuple[str, str, str, str]]:
    """Every polygon file with its image and output paths.

    Raises:
        ConversionError: If there is none or an image is missing.
    """
    pattern = osp.join(src, 'gtFine', '*', '**', '*' + JSON_SUFFIX)
    files = sorted(glob(pattern, recursive=True))
    if not files:
        raise ConversionError(f'no annotation files {pattern} (SRC must be '
                              'the IDD_Segmentation folder)')
    items = []
    for path in files:
        rel = osp.relpath(osp.dirname(path), osp.join(src, 'gtFine'))
        frame = osp.basename(path)[:-len(JSON_SUFFIX)]
        image = find_image(src, rel, frame, path)
        image_out = osp.join(out, 'leftImg8bit', rel, osp.basename(image))
        label_out = osp.join(out, 'gtFine', rel, frame + LABEL_SUFFIX)
        items.append((path, image, image_out, label_out))
    return items


def convert(src: str,
            out: str,
            nproc: int = 1,
            force: bool = False) -> ConversionSummary:
    """Render every IDD polygon file under ``src`` into ``out``.

    Args:
        src (str): The ``IDD_Segmentation`` folder (never written).
        out (str): Output root, outside ``src``.
        nproc (int): Worker processes.
        force (bool): Rewrite labels that exist already.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    ids = {c.name: c.id for c in taxonomy.classes}
    items = list_items(src, out)
    print(f'{NAME}: {len(items)} polygon files in {src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    for result in run_items(partial(convert_one, ids=ids, force=force), items,
                            nproc):
        summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Render IDD polygons to raw ids of taxonomies/idd.yaml.')
    parser.add_argument('src', help='the IDD_Segmentation folder')
    parser.add_argument('--out',
                        default=f'data/{NAME}',
                        help='output root (default: data/idd)')
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
