# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Render nuImages' JSON tables (RLE masks) to semantic raw-id PNGs.

    python tools/dataset_converters/nuimages.py SRC [--out data/nuimages] \\
        [--versions v1.0-train v1.0-val] [--nproc 8] [--force] \\
        [--images {symlink,copy}]

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
import base64
import os.path as osp
from collections import defaultdict
from typing import Dict, List

import numpy as np

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, Pair, load_json
from mmseg_unify.utils.paths import ontology_file

NAME = 'nuimages'
TAXONOMY = 'nuimages'
DEFAULT_OUT = 'data/nuimages'
VERSIONS = ('v1.0-train', 'v1.0-val')
BACKGROUND = 0


def category_ids(path: str, taxonomy: Taxonomy) -> Dict[str, int]:
    """Category token -> taxonomy id of ``category.json``.

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


def decode_mask(mask: dict, shape: tuple, where: str) -> np.ndarray:
    """A boolean ``shape`` (h, w) mask from a base64-wrapped compressed RLE.

    Raises:
        ConversionError: If it cannot be decoded or has another size.
    """
    from pycocotools import mask as mask_utils
    try:
        decoded = mask_utils.decode(
            dict(size=list(mask['size']),
                 counts=base64.b64decode(mask['counts'])))
    except (KeyError, TypeError, ValueError) as e:
        raise ConversionError(f'{where}: cannot decode its mask ({e})') from e
    if decoded.shape != tuple(shape):
        raise ConversionError(f'{where}: mask size {list(decoded.shape)} '
                              f'differs from the image size {list(shape)}')
    return decoded.astype(bool)


def render(pair: Pair) -> np.ndarray:
    """Paint one key frame (``pair.info``: ``(h, w)`` of the table and the
    ``(id, mask, annotation)`` list in paint order)."""
    shape, anns = pair.info
    label = np.full(shape, BACKGROUND, dtype=np.uint8)
    for value, mask, where in anns:
        label[decode_mask(mask, shape, where)] = value
    return label


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


def list_pairs(src: str, out: str, version: str,
               taxonomy: Taxonomy) -> List[Pair]:
    """One pair per key frame of ``version`` (the label: its row of
    ``sample_data.json``).

    Raises:
        ConversionError: If a table is missing or malformed.
    """
    folder = osp.join(src, version)
    frames = annotations_by_frame(
        folder, category_ids(osp.join(folder, 'category.json'), taxonomy))
    table = osp.join(folder, 'sample_data.json')
    pairs = []
    for sd in load_json(table):
        if not sd.get('is_key_frame'):
            continue
        rel = osp.relpath(sd['filename'], 'samples')
        if rel.startswith('..'):
            raise ConversionError(f'{table}: key frame {sd["filename"]} is '
                                  'not under samples/')
        pairs.append(
            Pair(label=table,
                 image=osp.join(src, sd['filename']),
                 out_label=osp.join(out, 'masks',
                                    osp.splitext(rel)[0] + '.png'),
                 out_image=osp.join(out, 'samples', rel),
                 info=((int(sd['height']), int(sd['width'])),
                       frames.get(sd['token'], [])),
                 where=f'{table}: sample_data {sd["token"]}'))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('nuImages', __doc__, DEFAULT_OUT)
    parser.add_argument('--versions', nargs='+', default=list(VERSIONS),
                        help='table folders; default: %(default)s')
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs = []
    for version in args.versions:
        try:
            pairs += list_pairs(args.src, args.out, version, tax)
        except KeyError as e:
            raise ConversionError(f'{osp.join(args.src, version)}: a table '
                                  f'row lacks the field {e}') from e
    return cli.run(NAME, tax, pairs, cli.convert_work(args, render), args,
                   unit='key frames')


if __name__ == '__main__':
    cli.run_command(main)
