# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Render IDD's polygon annotations to raw-id PNGs.

    python tools/dataset_converters/idd.py SRC [--out data/idd] \\
        [--nproc 8] [--force] [--images {symlink,copy}]

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
``prepare_idd.py``. A label that the taxonomy lacks is a fault.
"""
import os.path as osp
from functools import partial
from typing import Dict

import numpy as np
from PIL import Image, ImageDraw

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, Pair, load_json
from mmseg_unify.utils.paths import ontology_file

NAME = 'idd'
TAXONOMY = 'idd'
DEFAULT_OUT = 'data/idd'
BACKGROUND = 0
JSON_SUFFIX = '_gtFine_polygons.json'
LABEL_SUFFIX = '_gtFine_labelids.png'
IMAGE_SUFFIXES = ('_leftImg8bit.png', '_leftImg8bit.jpg')


def label_id(name: str, ids: Dict[str, int], path: str, index: int) -> int:
    """The taxonomy id of a polygon label (object ``index`` of ``path``).

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
                          f'which is not a class of taxonomies/{TAXONOMY}'
                          '.yaml')


def render(pair: Pair, ids: Dict[str, int]) -> np.ndarray:
    """Fill the polygons of one ``*_gtFine_polygons.json`` (``ids``:
    taxonomy class name -> id) into an ``imgHeight x imgWidth`` map.

    Raises:
        ConversionError: On missing keys or unknown labels (file named).
    """
    path = pair.label
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


def main(argv=None) -> dict:
    parser = cli.build_parser('IDD (IDD_Segmentation)', __doc__, DEFAULT_OUT)
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs = cli.mirrored_pairs(
        osp.join(args.src, 'leftImg8bit'), IMAGE_SUFFIXES,
        osp.join(args.src, 'gtFine'), JSON_SUFFIX,
        osp.join(args.out, 'leftImg8bit'), osp.join(args.out, 'gtFine'),
        LABEL_SUFFIX, by='label')
    work = cli.convert_work(
        args, partial(render, ids={c.name: c.id for c in tax.classes}))
    return cli.run(NAME, tax, pairs, work, args, unit='polygon files')


if __name__ == '__main__':
    cli.run_command(main)
