# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert WildDash 2 (the robustness test set) to semantic ids.

    python tools/dataset_converters/wilddash.py SRC [--out data/wilddash] \\
        [--nproc 8] [--force] [--images {symlink,copy}] \\
        [--semantic FOLDER [--semantic-suffix .png]]

Native layout (``wd_public_v2p0``, COCO panoptic format; ``SRC`` may be it
or the folder holding it): ``images/<n>.jpg``, ``panoptic/<n>.png``
(segment ids encoded as ``R + 256 G + 256^2 B``, as in COCO and WildDash's
own ``pano2sem.py``) and ``panoptic.json`` (per image ``segments_info``:
segment id -> ``category_id``). A pixel gets its segment's
``category_id``, which are the ids of ``ontology_maps/taxonomies/
wilddash.yaml`` (0..80); segment 0 is 0 (unlabeled). Semantic id PNGs made
before (e.g. by ``pano2sem.py``) are validated instead with ``--semantic
FOLDER``.

WildDash has no extra config; the test configs
(``configs/unify/wilddash-test_*.py``) read, under ``--out``:
``images/<n>.jpg`` (a link) and ``labels/<n>.png`` (ids).
"""
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import (ConversionError, Pair, load_json,
                                          panoptic_ids, read_colour)
from mmseg_unify.utils.paths import ontology_file

NAME = 'wilddash'
TAXONOMY = 'wilddash'
DEFAULT_OUT = 'data/wilddash'
ROOT_FOLDER = 'wd_public_v2p0'
UNLABELLED = 0


def render(pair: Pair, known: set):
    """Semantic ids of one panoptic PNG (``pair.info``: segment id ->
    category id); a category outside the taxonomy is an error naming the
    file, the segment and the id."""
    for segment, category in pair.info.items():
        if category not in known:
            raise ConversionError(
                f'{pair.label}: segment {segment} has category_id '
                f'{category}, not an id of taxonomies/{TAXONOMY}.yaml')
    return panoptic_ids(read_colour(pair.label), pair.info, pair.label,
                        UNLABELLED)


def panoptic_pairs(src: str, out: str) -> list:
    """One pair per annotation of ``panoptic.json``.

    Raises:
        ConversionError: The JSON is missing or malformed (names it).
    """
    path = osp.join(src, 'panoptic.json')
    data = load_json(path)
    try:
        images = {im['id']: im['file_name'] for im in data['images']}
        pairs = []
        for ann in data['annotations']:
            stem = osp.splitext(ann['file_name'])[0]
            image = images.get(ann['image_id'], f'{stem}.jpg')
            pairs.append(
                Pair(label=osp.join(src, 'panoptic', ann['file_name']),
                     image=osp.join(src, 'images', image),
                     out_label=osp.join(out, 'labels', f'{stem}.png'),
                     out_image=osp.join(out, 'images', image),
                     info={int(s['id']): int(s['category_id'])
                           for s in ann['segments_info']}))
    except (KeyError, TypeError, ValueError) as e:
        raise ConversionError(f'{path}: not a COCO panoptic file '
                              f'(missing or malformed {e})') from e
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('WildDash 2', __doc__, DEFAULT_OUT)
    parser.add_argument(
        '--semantic', metavar='FOLDER',
        help='validate id PNGs <FOLDER>/<n><suffix> instead of converting '
        'panoptic.json')
    parser.add_argument('--semantic-suffix', default='.png',
                        help='default: %(default)s')
    args = cli.parse_args(parser, argv)
    src = args.src
    if osp.isdir(osp.join(src, ROOT_FOLDER)):
        src = osp.join(src, ROOT_FOLDER)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    if args.semantic:
        pairs = cli.mirrored_pairs(
            osp.join(src, 'images'), '.jpg', osp.join(src, args.semantic),
            args.semantic_suffix, osp.join(args.out, 'images'),
            osp.join(args.out, 'labels'))
        work = cli.validate_work(args, tax)
    else:
        pairs = panoptic_pairs(src, args.out)
        work = cli.convert_work(args, partial(render, known=set(tax.ids)))
    return cli.run(NAME, tax, pairs, work, args)


if __name__ == '__main__':
    cli.run_command(main)
