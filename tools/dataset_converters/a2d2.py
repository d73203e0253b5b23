# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert A2D2's colour-coded semantic labels to raw-id PNGs.

    python tools/dataset_converters/a2d2.py SRC [--out data/a2d2] \\
        [--nproc 8] [--force]

``SRC`` is A2D2's ``camera_lidar_semantic`` folder as downloaded::

    SRC/class_list.json     "#rrggbb" -> class name (if absent: the copy
                            in ontology_maps/data-priors/a2d2/lists/)
    SRC/<scene>/camera/<cam>/<t>_camera_<view>_<frame>.png
    SRC/<scene>/label/<cam>/<t>_label_<view>_<frame>.png

``OUT`` gets the layout ``configs/unify/datasets/a2d2_extra.py`` reads::

    OUT/images/<scene>/<cam>/<camera file>.png   symbolic link to the image
    OUT/labels/<scene>/<cam>/<camera file>.png   ids of taxonomies/a2d2.yaml
    OUT/a2d2_summary.json

Each colour of ``class_list.json`` becomes the id of its class in the
taxonomy, found by name: the numbered variants ("Car 1".."Car 4", "Truck
1".."Truck 3", ...) are one class, and three names differ from the
taxonomy's ("Small vehicles" -> motorcycle, "Traffic signal" -> traffic
light, "Sidebars" -> sidebar), as in data-priors' ``prepare_a2d2.py``. A
pixel whose colour the list lacks is an error (file, colour and position
named), not silently void.
"""
import argparse
import os
import os.path as osp
import re
import sys
import uuid
from functools import partial
from glob import glob
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, id_counts,
                                          load_json, needs_writing, run_items)
from mmseg_unify.utils.label_io import read_label, write_png_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'a2d2'
ALIASES = {
    'small vehicles': 'motorcycle',
    'traffic signal': 'traffic light',
    'sidebars': 'sidebar'
}


def class_name_to_id(taxonomy: Taxonomy, name: str, where: str) -> int:
    """The taxonomy id of a ``class_list.json`` name.

    Args:
        taxonomy (Taxonomy): The a2d2 taxonomy.
        name (str): E.g. ``'Car 2'`` or ``'Painted driv. instr.'``.
        where (str): The class list file, for the error.

    Raises:
        ConversionError: If no taxonomy class has that name.
    """
    merged = re.sub(r' \d+$', '', name.strip()).lower()
    merged = ALIASES.get(merged, merged)
    for cls in taxonomy.classes:
        if cls.name.lower() == merged:
            return cls.id
    raise ConversionError(f'{where}: class {name!r} has no class in '
                          f'{taxonomy.path} (looked for {merged!r})')


def colour_table(path: str, taxonomy: Taxonomy) -> Dict[int, int]:
    """Packed colour ``r << 16 | g << 8 | b`` -> taxonomy id.

    Args:
        path (str): ``class_list.json``.
        taxonomy (Taxonomy): The a2d2 taxonomy.

    Raises:
        ConversionError: On a malformed colour or an unknown class name.
    """
    table = {}
    for colour, name in load_json(path).items():
        if not re.fullmatch(r'#[0-9a-fA-F]{6}', colour):
            raise ConversionError(f'{path}: {colour!r} (class {name!r}) is '
                                  'not a colour of the form "#rrggbb"')
        table[int(colour[1:], 16)] = class_name_to_id(taxonomy, name, path)
    return table


def colours_to_ids(rgb: np.ndarray, table: Dict[int, int],
                   path: str) -> np.ndarray:
    """Look every pixel's colour up in ``table``.

    Args:
        rgb (np.ndarray): H x W x 3 ``uint8``, RGB order.
        table (dict[int, int]): Packed colour -> id (see
            :func:`colour_table`).
        path (str): The label file, for the error.

    Returns:
        np.ndarray: H x W ``uint8`` ids.

    Raises:
        ConversionError: Naming the file, the first unknown colour, where it
            is and how many pixels have an unknown colour.
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
            f'{path}: colour RGB ({r}, {g}, {b}) (#{r:02x}{g:02x}{b:02x}) at '
            f'x={x}, y={y} is not in class_list.json '
            f'({int(unknown.sum())} pixels of unknown colours)')
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
    """Raise unless a label of ``shape`` has the size of ``image`` (read from
    the image's header), naming both files and sizes."""
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
    """Every native label file with its image and output paths.

    Raises:
        ConversionError: If there are no label files or one has no image.
    """
    pattern = osp.join(src, '*', 'label', '*', '*.png')
    labels = sorted(glob(pattern))
    if not labels:
        raise ConversionError(f'no label files {pattern} (SRC must be '
                              "A2D2's camera_lidar_semantic folder)")
    items = []
    for label in labels:
        cam_dir = osp.dirname(label)
        scene = osp.basename(osp.dirname(osp.dirname(cam_dir)))
        cam = osp.basename(cam_dir)
        name = osp.basename(label).replace('_label_', '_camera_', 1)
        image = osp.join(src, scene, 'camera', cam, name)
        if not osp.isfile(image):
            raise ConversionError(f'{label}: its image {image} is missing')
        rel = osp.join(scene, cam, name)
        image_out = osp.join(out, 'images', rel)
        label_out = osp.join(out, 'labels', rel)
        items.append((label, image, image_out, label_out))
    return items


def table_file(src: str) -> str:
    """``SRC/class_list.json``, or the copy shipped in ``ontology_maps/
    data-priors/a2d2/lists/`` if ``SRC`` has none (said in the output)."""
    path = osp.join(src, 'class_list.json')
    if osp.isfile(path):
        return path
    shipped = str(ontology_file('data-priors/a2d2/lists/class_list.json'))
    print(f'{NAME}: {path} does not exist; using {shipped}')
    return shipped


def convert(src: str,
            out: str,
            nproc: int = 1,
            force: bool = False,
            class_list: Optional[str] = None) -> ConversionSummary:
    """Convert every A2D2 label under ``src`` into ``out``.

    Args:
        src (str): The ``camera_lidar_semantic`` folder (never written).
        out (str): Output root, outside ``src``.
        nproc (int): Worker processes.
        force (bool): Rewrite labels that exist already.
        class_list (str, optional): Colour list. Default: see
            :func:`table_file`.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    table = colour_table(class_list or table_file(src), taxonomy)
    items = list_items(src, out)
    print(f'{NAME}: {len(items)} label files in {src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    work = partial(convert_one, table=table, force=force)
    for result in run_items(work, items, nproc):
        summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert A2D2 colour labels to raw ids of '
        'taxonomies/a2d2.yaml.')
    parser.add_argument('src', help="A2D2's camera_lidar_semantic folder")
    parser.add_argument('--out',
                        default=f'data/{NAME}',
                        help='output root (default: data/a2d2)')
    parser.add_argument('--class-list',
                        help='colour list (default: '
                        'SRC/class_list.json)')
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
    return convert(args.src, args.out, args.nproc, args.force, args.class_list)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
