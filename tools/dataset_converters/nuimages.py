# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Render nuImages' JSON tables (RLE masks) to semantic raw-id PNGs.

    python tools/dataset_converters/nuimages.py SRC [--out data/nuimages] \\
        [--versions v1.0-train v1.0-val] [--nproc 8] [--force]

``SRC`` is the nuImages data root as downloaded (no devkit needed)::

    SRC/samples/<CAM>/<name>.jpg                 key frames
    SRC/<version>/sample_data.json               token, filename, width,
                                                 height, is_key_frame
    SRC/<version>/object_ann.json                sample_data_token,
    SRC/<version>/surface_ann.json               category_token, mask
    SRC/<version>/category.json                  token, name

``OUT`` gets the layout ``configs/unify/datasets/nuimages_extra.py`` reads::

    OUT/samples/<CAM>/<name>.jpg     symbolic link to the key frame
    OUT/masks/<CAM>/<name>.png       ids of taxonomies/nuimages.yaml
    OUT/nuimages_summary.json

Painted as the devkit's ``NuImages.get_segmentation``: background 0, then
the surface annotations in table order, then the object annotations sorted
by token, later ones on top; a ``mask`` of ``None`` is skipped. A mask is
``{'size': [h, w], 'counts': base64 of COCO's compressed RLE}``, decoded with
``pycocotools``. Ids are by name: the last part of the category name with
``_`` as space (``human.pedestrian.police_officer`` -> police officer), as
data-priors' labels. Only key frames of the listed versions are converted.
"""
import argparse
import base64
import os
import os.path as osp
import sys
import uuid
from collections import defaultdict
from functools import partial
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, id_counts,
                                          load_json, needs_writing, run_items)
from mmseg_unify.utils.label_io import read_label, write_png_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'nuimages'
VERSIONS = ('v1.0-train', 'v1.0-val')
BACKGROUND = 0


def category_ids(path: str, taxonomy: Taxonomy) -> Dict[str, int]:
    """Category token -> taxonomy id.

    Args:
        path (str): ``category.json``.
        taxonomy (Taxonomy): The nuimages taxonomy.

    Raises:
        ConversionError: If a category has no taxonomy class.
    """
    by_name = {c.name: c.id for c in taxonomy.classes}
    ids = {}
    for cat in load_json(path):
        short = cat['name'].split('.')[-1].replace('_', ' ')
        if short not in by_name:
            raise ConversionError(f'{path}: category {cat["name"]!r} ('
                                  f'{short!r}) is not in {taxonomy.path}')
        ids[cat['token']] = by_name[short]
    return ids


def decode_mask(mask: dict, shape: Tuple[int, int], where: str) -> np.ndarray:
    """Decode a nuImages mask (base64-wrapped compressed RLE).

    Args:
        mask (dict): ``size`` ``[h, w]`` and ``counts``.
        shape (tuple[int, int]): Expected ``(h, w)``.
        where (str): The annotation, for the error.

    Raises:
        ConversionError: If the mask cannot be decoded or has another size.
    """
    from pycocotools import mask as mask_utils
    try:
        rle = dict(size=list(mask['size']),
                   counts=base64.b64decode(mask['counts']))
        decoded = mask_utils.decode(rle)
    except (KeyError, TypeError, ValueError) as e:
        raise ConversionError(f'{where}: cannot decode its mask ({e})') from e
    if decoded.shape != tuple(shape):
        raise ConversionError(f'{where}: mask size {list(decoded.shape)} '
                              f'differs from the image size {list(shape)}')
    return decoded.astype(bool)


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


def check_size(shape: Tuple[int, int], image: str, where: str) -> None:
    """Raise unless ``image`` is ``shape`` (h, w) as the table says."""
    with Image.open(image) as img:
        h, w = img.height, img.width
    if tuple(shape) != (h, w):
        raise ConversionError(f'{where}: the table says {shape[1]}x'
                              f'{shape[0]}, but {image} is {w}x{h}')


def convert_one(item: tuple, force: bool = False) -> dict:
    """Paint one key frame's annotations and link its image.

    Args:
        item (tuple): Image, image link, output label, ``(h, w)``, a label
            for errors, and the ``(id, mask, annotation)`` list in paint
            order.
        force (bool): Rewrite an existing output label.

    Returns:
        dict: ``status`` (``written``/``kept``) and ``ids``.
    """
    image_src, image_out, label_out, shape, where, anns = item
    link_file(image_src, image_out)
    if not needs_writing(label_out, force):
        return dict(status='kept', ids=id_counts(read_label(label_out)))
    check_size(shape, image_src, where)
    label = np.full(shape, BACKGROUND, dtype=np.uint8)
    for value, mask, ann in anns:
        label[decode_mask(mask, shape, ann)] = value
    write_png_atomic(label_out, label)
    return dict(status='written', ids=id_counts(label))


def annotations_by_frame(folder: str, cats: Dict[str, int]) -> Dict[str, list]:
    """``sample_data_token`` -> ``[(id, mask, where), ...]`` in paint
    order: surfaces as listed, then objects sorted by token.

    Raises:
        ConversionError: If an annotation's category is unknown.
    """
    frames = defaultdict(list)
    for table, by_token in (('surface_ann', False), ('object_ann', True)):
        path = osp.join(folder, f'{table}.json')
        anns = load_json(path)
        if by_token:
            anns = sorted(anns, key=lambda a: a['token'])
        for ann in anns:
            if ann['category_token'] not in cats:
                raise ConversionError(
                    f'{path}: annotation {ann["token"]} has category token '
                    f'{ann["category_token"]}, which category.json lacks')
            if ann.get('mask') is not None:
                frames[ann['sample_data_token']].append(
                    (cats[ann['category_token']], ann['mask'],
                     f'{path}: annotation {ann["token"]}'))
    return frames


def list_items(src: str, out: str, version: str,
               taxonomy: Taxonomy) -> List[tuple]:
    """One work item per key frame of ``version``.

    Raises:
        ConversionError: If a table is missing or malformed or an image is
            missing.
    """
    folder = osp.join(src, version)
    cats = category_ids(osp.join(folder, 'category.json'), taxonomy)
    frames = annotations_by_frame(folder, cats)
    table = osp.join(folder, 'sample_data.json')
    items = []
    for sd in load_json(table):
        if not sd.get('is_key_frame'):
            continue
        image = osp.join(src, sd['filename'])
        if not osp.isfile(image):
            raise ConversionError(f'{table}: sample_data {sd["token"]} '
                                  f'names {sd["filename"]}, but {image} is '
                                  'missing')
        rel = osp.relpath(sd['filename'], 'samples')
        if rel.startswith('..'):
            raise ConversionError(f'{table}: key frame {sd["filename"]} is '
                                  'not under samples/')
        label_out = osp.join(out, 'masks', osp.splitext(rel)[0] + '.png')
        shape = (int(sd['height']), int(sd['width']))
        items.append((image, osp.join(out, 'samples', rel), label_out, shape,
                      f'{table}: sample_data {sd["token"]}',
                      frames.get(sd['token'], [])))
    return items


def convert(src: str,
            out: str,
            versions=VERSIONS,
            nproc: int = 1,
            force: bool = False) -> ConversionSummary:
    """Render the key frames of ``versions`` under ``src`` into ``out``.

    Args:
        src (str): nuImages data root (never written).
        out (str): Output root, outside ``src``.
        versions (Sequence[str]): Table folders, e.g. ``v1.0-train``.
        nproc (int): Worker processes.
        force (bool): Rewrite labels that exist already.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    items = []
    for version in versions:
        try:
            items += list_items(src, out, version, taxonomy)
        except KeyError as e:
            raise ConversionError(f'{osp.join(src, version)}: a table row '
                                  f'lacks the field {e}') from e
    if not items:
        raise ConversionError(f'{src}: no key frames in {list(versions)}')
    print(f'{NAME}: {len(items)} key frames of {", ".join(versions)} in '
          f'{src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    for result in run_items(partial(convert_one, force=force), items, nproc):
        summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Render nuImages annotations to raw ids of '
        'taxonomies/nuimages.yaml.')
    parser.add_argument('src', help='nuImages data root (samples/, v1.0-*)')
    parser.add_argument('--out',
                        default=f'data/{NAME}',
                        help='output root (default: data/nuimages)')
    parser.add_argument('--versions',
                        nargs='+',
                        default=list(VERSIONS),
                        help='table folders (default: v1.0-train v1.0-val)')
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
    return convert(args.src, args.out, args.versions, args.nproc, args.force)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
