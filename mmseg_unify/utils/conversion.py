# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The work on one file that every dataset converter shares.

A converter (``tools/dataset_converters/``) turns a dataset's native labels
into raw-id PNGs of a taxonomy (``ontology_maps/taxonomies/``), or checks
them where they already are id PNGs. It lists :class:`Pair` items and runs
:func:`convert_pair` (native label -> id PNG through the dataset's
``render(pair)``, e.g. :func:`colour_render`) or :func:`validate_pair` on
each; the run around them is :mod:`mmseg_unify.utils.conversion_cli`.

The rules, enforced here once: the source is never written
(:func:`check_output_root`); outputs are written atomically with ordinary
permissions; an output that exists and decodes is kept unless ``force``
(:func:`needs_writing`), so the same command resumes a run; and a work
function never raises for a bad file: it returns ``{'status': 'error',
'error': message}`` naming the file and the value at fault, so that one run
reports every fault.

A taxonomy here is any object with ``name``, ``path``, ``ids``,
``ignore_index`` and ``classes`` (``id``, ``name``, ``color``), as
:class:`mmseg_unify.ontology.Taxonomy`: this module is a leaf of ``utils``.
"""
import json
import os
import os.path as osp
import shutil
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

import numpy as np

from .label_io import TMP_SUFFIX, read_label, write_png_atomic
from .output_guard import check_output_folders

Colour = Tuple[int, int, int]


class ConversionError(ValueError):
    """A native label cannot be converted (names the file and value)."""


# what a work function reports as a fault of one file instead of raising
FAILURES = (ConversionError, OSError, ValueError)


def check_output_root(out_root: str, source_root: str,
                      flag: str = '--out') -> None:
    """Refuse (``ValueError`` naming both folders and the flag) an output
    root that is, lies inside, or contains the source."""
    check_output_folders({flag: out_root}, [osp.realpath(source_root)])


def needs_writing(path: str, force: bool = False) -> bool:
    """Whether ``path`` must be (re)written: missing, unreadable, or
    ``force``."""
    if force or not osp.isfile(path):
        return True
    try:
        read_label(path)
    except (OSError, ValueError):
        return True
    return False


@dataclass(frozen=True)
class Pair:
    """One native label and its image: a work item.

    Args:
        label (str): The native label file (or the table holding it).
        image (str): Its image.
        out_label, out_image (str, optional): Where the id PNG goes and
            where the image is linked or copied (``None``: not written).
        info (Any): What rendering needs besides the file (segments, masks).
        where (str, optional): How messages name the label (default:
            ``label``), e.g. ``'sample_data.json: sample_data sd1'``.
    """
    label: str
    image: str
    out_label: Optional[str] = None
    out_image: Optional[str] = None
    info: Any = None
    where: Optional[str] = None

    @property
    def name(self) -> str:
        return self.where or self.label


def id_counts(label: np.ndarray) -> Dict[int, int]:
    """``{id: pixels}`` of a label array."""
    values, counts = np.unique(label, return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


def check_ids(label: np.ndarray, known: Iterable[int], path: str,
              ignore_index: Optional[int] = None) -> None:
    """Raise (naming the file and the ids) unless every id of ``label`` is
    in ``known`` or is ``ignore_index``."""
    allowed = set(int(k) for k in known)
    if ignore_index is not None:
        allowed.add(int(ignore_index))
    unknown = sorted(set(np.unique(label).tolist()) - allowed)
    if unknown:
        raise ConversionError(
            f'{path}: label ids {unknown} are not in the taxonomy')


def load_json(path: str):
    """``json.load`` with the file named in the error."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ConversionError(f'{path}: cannot read JSON ({e})') from e


# ------------------------------------------------------------ reading
def check_size(label: np.ndarray, where: str, image: str) -> None:
    """Raise ``<where>: size WxH differs from its image <image> (WxH)``
    unless ``label`` has the size of ``image`` (read from its header)."""
    from PIL import Image
    try:
        with Image.open(image) as img:
            w, h = img.width, img.height
    except OSError as e:
        raise ConversionError(f'cannot read image {image} ({e})') from e
    if tuple(label.shape[:2]) != (h, w):
        raise ConversionError(
            f'{where}: size {label.shape[1]}x{label.shape[0]} differs from '
            f'its image {image} ({w}x{h})')


def read_colour(path: str) -> np.ndarray:
    """A colour label as ``H x W x 3`` RGB (palette PNGs expanded)."""
    import cv2
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ConversionError(f'cannot decode colour label {path}')
    return np.ascontiguousarray(bgr[..., ::-1])


def colours_to_ids(rgb: np.ndarray,
                   table: Dict[Colour, int],
                   path: str,
                   unknown_id: Optional[int] = None) -> np.ndarray:
    """Colour label -> ids through ``table`` (``(r, g, b)`` -> id); colours
    not in it get ``unknown_id``, or, if that is ``None``, raise an error
    naming the file, the first such colour, a pixel of it, and how many
    colours and pixels are unknown."""
    key = (rgb[..., 0].astype(np.int32) << 16) | \
        (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2].astype(np.int32)
    values, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.reshape(key.shape)
    colours = [(v >> 16, (v >> 8) & 255, v & 255) for v in values.tolist()]
    unknown = [i for i, c in enumerate(colours) if c not in table]
    if unknown and unknown_id is None:
        first = unknown[0]
        ys, xs = np.nonzero(inverse == first)
        pixels = int(np.isin(inverse, unknown).sum())
        raise ConversionError(
            f'{path}: colour RGB{colours[first]} at pixel (x={xs[0]}, '
            f'y={ys[0]}) is not in the colour table (#{values[first]:06x}; '
            f'{len(unknown)} unknown colour(s), {pixels} pixel(s): '
            f'{[colours[i] for i in unknown[:5]]})')
    return _lookup([table.get(c, unknown_id) for c in colours], inverse)


def table_from_taxonomy(tax) -> Dict[Colour, int]:
    """``colour -> id`` of a taxonomy whose colours are the dataset's
    (two classes of one colour are an error naming both)."""
    table: Dict[Colour, int] = {}
    for cls in tax.classes:
        colour = tuple(int(v) for v in cls.color)
        if colour in table:
            raise ConversionError(
                f'{tax.path}: colour {list(colour)} is used by ids '
                f'{table[colour]} and {cls.id}')
        table[colour] = cls.id
    return table


def check_table(table: Dict[Colour, int], tax, where: str) -> None:
    """Raise unless every id of a colour table is a taxonomy id."""
    unknown = sorted(set(table.values()) - set(tax.ids))
    if unknown:
        raise ConversionError(f'{where}: ids {unknown} of the colour table '
                              f'are not in {tax.path}')


def _lookup(lut: list, inverse: np.ndarray) -> np.ndarray:
    """``lut[inverse]`` as ``uint8`` ids, ``uint16`` if one exceeds 255."""
    lut = np.array(lut, np.int64)
    return lut.astype(np.uint8 if lut.max() <= 255 else np.uint16)[inverse]


def panoptic_ids(rgb: np.ndarray, segments: Dict[int, int], path: str,
                 unlabelled: int) -> np.ndarray:
    """Semantic ids of a COCO-style panoptic PNG (segment id ``R + 256 G +
    256^2 B``; ``segments``: segment id -> id; segment 0 -> ``unlabelled``);
    a segment id that ``segments`` lacks is an error naming it."""
    rgb = rgb.astype(np.int64)
    seg = rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]
    values, inverse = np.unique(seg, return_inverse=True)
    stray = [v for v in values.tolist() if v and v not in segments]
    if stray:
        v = stray[0]
        raise ConversionError(
            f'{path}: segment id {v} (RGB{(v & 255, (v >> 8) & 255, v >> 16)}'
            ') is not in the segments_info')
    return _lookup([segments.get(v, unlabelled) for v in values.tolist()],
                   inverse.reshape(seg.shape))


def colour_render(pair: Pair, table: Dict[Colour, int],
                  unknown_id: Optional[int] = None) -> np.ndarray:
    """The ``render`` of colour labels: :func:`colours_to_ids` of
    ``pair.label``."""
    return colours_to_ids(read_colour(pair.label), table, pair.name,
                          unknown_id)


# ------------------------------------------------------------- output
def place_file(src: str, dst: str, mode: str, force: bool = False) -> int:
    """Symlink (absolute target) or copy ``src`` to ``dst`` atomically; an
    existing ``dst`` is kept unless ``force``. Returns 1 if it was made."""
    if osp.lexists(dst) and not force:
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


def check_files(pair: Pair) -> None:
    """Raise unless the pair's label and image files exist, naming both:
    ``<image>: its label <label> is missing`` or ``<label>: its image
    <image> is missing``."""
    if not osp.isfile(pair.label):
        raise ConversionError(f'{pair.image}: its label {pair.label} is '
                              'missing')
    if not osp.isfile(pair.image):
        raise ConversionError(f'{pair.name}: its image {pair.image} is '
                              'missing')


def _counts(ids: np.ndarray) -> Dict[str, int]:
    return {str(k): v for k, v in id_counts(ids).items()}


def convert_pair(pair: Pair,
                 render: Callable[[Pair], np.ndarray],
                 mode: str = 'symlink',
                 force: bool = False) -> dict:
    """Write ``pair.out_label`` from ``render(pair)`` (ids of the image's
    size) unless it exists (``force``: always), then link or copy the image.

    Returns:
        dict: ``status`` (``written``/``kept``), ``ids`` and ``placed``; or
        ``status='error'`` and the message.
    """
    try:
        check_files(pair)
        if not needs_writing(pair.out_label, force):
            ids, status = read_label(pair.out_label), 'kept'
        else:
            ids, status = render(pair), 'written'
            check_size(ids, pair.name, pair.image)
            write_png_atomic(pair.out_label, ids)
        placed = 0 if pair.out_image is None else place_file(
            pair.image, pair.out_image, mode, force)
        return dict(status=status, placed=placed, ids=_counts(ids))
    except FAILURES as e:
        return dict(status='error', error=str(e))


def validate_pair(pair: Pair,
                  tax,
                  mode: str = 'symlink',
                  force: bool = False) -> dict:
    """Check an id PNG (ids of ``tax`` or its ignore index, the size of its
    image); link or copy it and its image where ``out_label`` and
    ``out_image`` say. Returns the result as :func:`convert_pair`."""
    try:
        check_files(pair)
        label = read_label(pair.label)
        check_ids(label, tax.ids, pair.label, ignore_index=tax.ignore_index)
        check_size(label, pair.label, pair.image)
        placed = 0
        for src, dst in ((pair.image, pair.out_image),
                         (pair.label, pair.out_label)):
            if dst is not None:
                placed += place_file(src, dst, mode, force)
        return dict(status='validated', placed=placed, ids=_counts(label))
    except FAILURES as e:
        return dict(status='error', error=str(e))
