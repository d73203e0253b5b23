# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert WildDash 2 (the robustness test set) to semantic ids.

Native layout (``wd_public_v2p0``, COCO panoptic format): ``images/<n>.jpg``,
``panoptic/<n>.png`` (segment ids encoded as ``R + 256 G + 256^2 B``, as in
COCO and WildDash's own ``pano2sem.py``) and ``panoptic.json`` (per image
``segments_info``: segment id -> ``category_id``). A pixel gets its
segment's ``category_id``, which are the ids of
``ontology_maps/taxonomies/wilddash.yaml`` (0..80); segment 0 is 0
(unlabeled). Semantic id PNGs made before (e.g. by ``pano2sem.py``) are
validated instead with ``--semantic FOLDER``.

WildDash has no extra config; the test configs
(``configs/unify/wilddash-test_*.py``) read, under ``--out``:
``images/<n>.jpg`` (a link) and ``labels/<n>.png`` (ids)::

    python tools/dataset_converters/wilddash.py \\
        data/downloads/wd_public_v2p0 --nproc 8
"""
import os.path as osp
import sys
from functools import partial

import numpy as np

from mmseg_unify.utils.conversion import (ConversionError, load_json,
                                          needs_writing)
from mmseg_unify.utils.label_io import read_label, write_png_atomic

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'wilddash'
TAXONOMY = 'wilddash'
DEFAULT_OUT = 'data/wilddash'
ROOT_FOLDER = 'wd_public_v2p0'


def segment_ids(rgb: np.ndarray) -> np.ndarray:
    """COCO panoptic segment ids of an RGB-encoded PNG."""
    rgb = rgb.astype(np.int64)
    return rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]


def semantic_from_segments(seg: np.ndarray, segments: dict, known: set,
                           path: str) -> np.ndarray:
    """Segment ids -> category ids (segment 0 -> 0).

    Raises:
        ConversionError: A segment id missing from ``segments_info`` or a
            category id not in the taxonomy (names the file and value).
    """
    values, inverse = np.unique(seg, return_inverse=True)
    lut = np.zeros(len(values), np.uint8)
    for i, value in enumerate(values.tolist()):
        if value == 0:
            continue
        if value not in segments:
            colour = (value & 255, (value >> 8) & 255, value >> 16)
            raise ConversionError(
                f'{path}: segment id {value} (RGB{colour}) is not in the '
                'segments_info of panoptic.json')
        if segments[value] not in known:
            raise ConversionError(
                f'{path}: segment {value} has category_id '
                f'{segments[value]}, not an id of taxonomies/wilddash.yaml')
        lut[i] = segments[value]
    return lut[inverse.reshape(seg.shape)]


def convert_panoptic(item,
                     known: set,
                     mode: str = 'symlink',
                     force: bool = False) -> dict:
    """Write one semantic id PNG from a panoptic PNG.

    Args:
        item (tuple): ``(Pair, {segment id: category id})``.
        known (set): The taxonomy's ids.
        mode (str): ``'symlink'`` or ``'copy'`` for the image.
        force (bool): Rewrite existing outputs.
    """
    pair, segments = item
    try:
        if not needs_writing(pair.out_label, force):
            ids = read_label(pair.out_label)
            return dict(status='kept',
                        ids=lc.counts(ids),
                        placed=lc.place_image(pair, mode, force))
        seg = segment_ids(lc.read_colour(pair.label))
        ids = semantic_from_segments(seg, segments, known, pair.label)
        lc.check_size(ids, pair.label, pair.image)
        write_png_atomic(pair.out_label, ids)
        return dict(status='written',
                    ids=lc.counts(ids),
                    placed=lc.place_image(pair, mode, force))
    except lc.FAILURES as e:
        return dict(status='error', error=str(e))


def panoptic_items(src: str, out: str) -> list:
    """One ``(Pair, segments)`` item per annotation of ``panoptic.json``.

    Raises:
        ConversionError: The JSON is missing or malformed (names it).
    """
    path = osp.join(src, 'panoptic.json')
    data = load_json(path)
    try:
        images = {im['id']: im['file_name'] for im in data['images']}
        items = []
        for ann in data['annotations']:
            stem = osp.splitext(ann['file_name'])[0]
            image = images.get(ann['image_id'], f'{stem}.jpg')
            pair = lc.Pair(label=osp.join(src, 'panoptic', ann['file_name']),
                           image=osp.join(src, 'images', image),
                           out_label=osp.join(out, 'labels', f'{stem}.png'),
                           out_image=osp.join(out, 'images', image))
            items.append((pair, {
                s['id']: s['category_id']
                for s in ann['segments_info']
            }))
    except (KeyError, TypeError) as e:
        raise ConversionError(f'{path}: not a COCO panoptic file '
                              f'(missing {e})') from e
    return items


def main(argv=None) -> dict:
    parser = cli.build_parser('WildDash 2', __doc__, DEFAULT_OUT)
    parser.add_argument(
        '--semantic',
        metavar='FOLDER',
        help='validate id PNGs <FOLDER>/<n><suffix> instead of converting '
        'panoptic.json')
    parser.add_argument('--semantic-suffix',
                        default='.png',
                        help='default: %(default)s')
    args = parser.parse_args(argv)
    src = args.src
    if osp.isdir(osp.join(src, ROOT_FOLDER)):
        src = osp.join(src, ROOT_FOLDER)
    tax = lc.taxonomy(TAXONOMY)
    if args.semantic:
        items = cli.mirrored_pairs(osp.join(src, 'images'), '.jpg',
                                   osp.join(src, args.semantic),
                                   args.semantic_suffix,
                                   osp.join(args.out, 'images'),
                                   osp.join(args.out, 'labels'))
        work = partial(lc.validate_pair,
                       tax=tax,
                       mode=args.images,
                       force=args.force)
    else:
        items = panoptic_items(src, args.out)
        work = partial(convert_panoptic,
                       known=set(tax.ids),
                       mode=args.images,
                       force=args.force)
    return cli.run(NAME, tax, items, work, src, args.out, args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
