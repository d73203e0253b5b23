# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The work on one file that the converters of GOOSE, Cityscapes,
road-lane, RELLIS-3D, YCOR, TAS500, Freiburg Forest, RUGD and WildDash
share, on top of :mod:`mmseg_unify.utils.conversion` (its rules: source
never written, atomic and idempotent output). The command around it (the
arguments, listing files, the run and its summary) is in
``_converter_cli.py``.

A converter lists :class:`Pair` items (a native label, its image, and where
each goes) and runs one of two work functions on them:

* :func:`convert_colour_pair`: colour label -> id PNG (a colour table);
* :func:`validate_pair`: an id PNG checked against the taxonomy and the
  image size, optionally linked (or copied) into the layout a config reads.

Work functions return ``{'status': ..., 'ids': {id: pixels}}`` or, for a
file at fault, ``{'status': 'error', 'error': message}``, so that one run
reports every bad file (``_converter_cli.run`` raises at the end if any
failed). Not a script: the converters import it.
"""
import os
import os.path as osp
import shutil
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Callable, Dict, Optional, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.ontology.taxonomy import Taxonomy
from mmseg_unify.utils.conversion import (ConversionError, check_ids,
                                          id_counts, needs_writing)
from mmseg_unify.utils.label_io import (TMP_SUFFIX, read_label,
                                        write_png_atomic)
from mmseg_unify.utils.paths import ontology_file

Colour = Tuple[int, int, int]
FAILURES = (ConversionError, OSError, ValueError)


@dataclass(frozen=True)
class Pair:
    """One native label file and its image.

    Args:
        label (str): The native label file.
        image (str): Its image.
        out_label (str, optional): Where the id PNG goes (``None``: the
            label is only validated where it is).
        out_image (str, optional): Where the image is linked or copied
            (``None``: it stays where it is).
    """
    label: str
    image: str
    out_label: Optional[str] = None
    out_image: Optional[str] = None


def taxonomy(name: str) -> Taxonomy:
    """``ontology_maps/taxonomies/<name>.yaml``."""
    return load_taxonomy(ontology_file(f'taxonomies/{name}.yaml'))


# ------------------------------------------------------------ reading
def image_size(path: str) -> Tuple[int, int]:
    """``(height, width)`` of an image, from its header only.

    Raises:
        ConversionError: The image is missing or unreadable (names it).
    """
    if not osp.isfile(path):
        raise ConversionError(f'image file {path} does not exist')
    try:
        with Image.open(path) as img:
            return img.height, img.width
    except OSError as e:
        raise ConversionError(f'cannot read image {path} ({e})') from e


def check_size(label: np.ndarray, label_path: str, image_path: str) -> None:
    """Raise unless the label has the size of its image (both named)."""
    size = image_size(image_path)
    if tuple(label.shape[:2]) != size:
        raise ConversionError(
            f'{label_path}: label size {label.shape[1]}x{label.shape[0]} '
            f'(WxH) differs from its image {image_path}: '
            f'{size[1]}x{size[0]}')


def read_colour(path: str) -> np.ndarray:
    """A colour label as ``H x W x 3`` RGB (palette PNGs expanded).

    Raises:
        ConversionError: The file is missing or does not decode (names it).
    """
    if not osp.isfile(path):
        raise ConversionError(f'label file {path} does not exist')
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ConversionError(f'cannot decode colour label {path}')
    return bgr[..., ::-1]


# ------------------------------------------------------- colour tables
def colours_to_ids(rgb: np.ndarray,
                   table: Dict[Colour, int],
                   path: str,
                   unknown_id: Optional[int] = None) -> np.ndarray:
    """Colour label -> ids through ``table``.

    Args:
        rgb (np.ndarray): ``H x W x 3`` RGB colours.
        table (dict): ``(r, g, b)`` -> id.
        path (str): The label file, for the error message.
        unknown_id (int, optional): Id of colours not in the table;
            ``None`` makes them an error.

    Returns:
        np.ndarray: ``uint8`` ids (``uint16`` if an id exceeds 255).

    Raises:
        ConversionError: Naming the file, the first unknown colour, a pixel
            of it and how many unknown colours there are.
    """
    key = (rgb[..., 0].astype(np.int32) << 16) | \
        (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2].astype(np.int32)
    values, inverse = np.unique(key, return_inverse=True)
    colours = [(int(v) >> 16, (int(v) >> 8) & 255, int(v) & 255)
               for v in values]
    unknown = [c for c in colours if c not in table]
    if unknown and unknown_id is None:
        ys, xs = np.nonzero(key == values[colours.index(unknown[0])])
        raise ConversionError(
            f'{path}: colour RGB{unknown[0]} at pixel (x={xs[0]}, '
            f'y={ys[0]}) is not in the colour table ({len(unknown)} unknown '
            f'colour(s): {unknown[:5]}; known: {sorted(table)})')
    lut = np.array([table.get(c, unknown_id) for c in colours], np.int64)
    dtype = np.uint8 if lut.max() <= 255 else np.uint16
    return lut.astype(dtype)[inverse.reshape(key.shape)]


def table_from_taxonomy(tax: Taxonomy) -> Dict[Colour, int]:
    """``colour -> id`` of a taxonomy whose colours are the dataset's.

    Raises:
        ConversionError: Two classes share a colour (names both).
    """
    table: Dict[Colour, int] = {}
    for cls in tax.classes:
        if cls.color in table:
            raise ConversionError(
                f'{tax.path}: colour {list(cls.color)} is used by ids '
                f'{table[cls.color]} and {cls.id}')
        table[cls.color] = cls.id
    return table


def check_table(table: Dict[Colour, int], tax: Taxonomy, where: str) -> None:
    """Raise unless every id of a colour table is a taxonomy id."""
    unknown = sorted(set(table.values()) - set(tax.ids))
    if unknown:
        raise ConversionError(f'{where}: ids {unknown} of the colour table '
                              f'are not in {tax.path}')


# ------------------------------------------------------------- output
def place_file(src: str, dst: str, mode: str, force: bool = False) -> int:
    """Symlink (absolute target) or copy ``src`` to ``dst`` atomically; an
    existing ``dst`` is kept unless ``force``.

    Returns:
        int: 1 if ``dst`` was (re)made, else 0.
    """
    if osp.exists(dst) and not force:
        return 0
    folder, name = osp.split(dst)
    os.makedirs(folder or '.', exist_ok=True)
    tmp = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:12]}{TMP_SUFFIX}')
    try:
        if mode == 'symlink':
            os.symlink(osp.realpath(src), tmp)
        else:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if osp.lexists(tmp):
            os.remove(tmp)
    return 1


def counts(ids: np.ndarray) -> Dict[str, int]:
    """``{str(id): pixels}`` of a label, as the summary takes it."""
    return {str(k): v for k, v in id_counts(ids).items()}


def place_image(pair: Pair, mode: str, force: bool) -> int:
    """Link or copy ``pair.image`` to ``pair.out_image`` (if set); see
    :func:`place_file`."""
    if pair.out_image is None:
        return 0
    if not osp.isfile(pair.image):
        raise ConversionError(f'image file {pair.image} does not exist')
    return place_file(pair.image, pair.out_image, mode, force)


# ------------------------------------------------------- work functions
def convert_colour_pair(pair: Pair,
                        table: Dict[Colour, int],
                        unknown_id: Optional[int] = None,
                        mode: str = 'symlink',
                        force: bool = False) -> dict:
    """Write ``pair.out_label`` from a colour label (see module doc).

    Args:
        pair (Pair): The files.
        table (dict): ``(r, g, b)`` -> id.
        unknown_id (int, optional): See :func:`colours_to_ids`.
        mode (str): ``'symlink'`` or ``'copy'`` for the image.
        force (bool): Rewrite existing outputs.
    """
    try:
        if not needs_writing(pair.out_label, force):
            return dict(status='kept',
                        placed=place_image(pair, mode, force),
                        ids=counts(read_label(pair.out_label)))
        ids = colours_to_ids(read_colour(pair.label), table, pair.label,
                             unknown_id)
        check_size(ids, pair.label, pair.image)
        write_png_atomic(pair.out_label, ids)
        return dict(status='written',
                    placed=place_image(pair, mode, force),
                    ids=counts(ids))
    except FAILURES as e:
        return dict(status='error', error=str(e))


def check_id_label(path: str, image: str, tax: Taxonomy) -> np.ndarray:
    """Read an id PNG and raise unless its ids are in ``tax`` (or its
    ignore index) and it has its image's size."""
    try:
        label = read_label(path)
    except (OSError, ValueError) as e:
        raise ConversionError(str(e)) from e
    check_ids(label, tax.ids, path, ignore_index=tax.ignore_index)
    check_size(label, path, image)
    return label


def validate_pair(pair: Pair,
                  tax: Taxonomy,
                  mode: str = 'symlink',
                  force: bool = False) -> dict:
    """Validate an id PNG (see :func:`check_id_label`); link or copy it and
    its image where ``pair.out_label`` / ``out_image`` say.

    Args:
        pair (Pair): The files.
        tax (Taxonomy): The dataset's taxonomy.
        mode (str): ``'symlink'`` or ``'copy'``.
        force (bool): Remake existing links and copies.
    """
    try:
        label = check_id_label(pair.label, pair.image, tax)
        placed = place_image(pair, mode, force)
        if pair.out_label is not None:
            placed += place_file(pair.label, pair.out_label, mode, force)
        return dict(status='validated', placed=placed, ids=counts(label))
    except FAILURES as e:
        return dict(status='error', error=str(e))


def colour_work(args, table: Dict[Colour, int],
                tax: Taxonomy) -> Callable[[Pair], dict]:
    """:func:`convert_colour_pair` with a checked table and the command's
    ``--images``, ``--force`` and ``--unknown-as-ignore``.

    Args:
        args (argparse.Namespace): The parsed arguments.
        table (dict): ``(r, g, b)`` -> id.
        tax (Taxonomy): The target taxonomy (ids and ignore index).
    """
    check_table(table, tax, f'{tax.name} colour table')
    unknown = tax.ignore_index if args.unknown_as_ignore else None
    return partial(convert_colour_pair,
                   table=table,
                   unknown_id=unknown,
                   mode=args.images,
                   force=args.force)
