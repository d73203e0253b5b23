# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert COCO panoptic annotations to semantic raw-id PNGs.

    python tools/dataset_converters/coco_panoptic.py SRC [--out data/coco] \\
        [--splits train val] [--subset-lists DIR] [--nproc 8] [--force] \\
        [--images {symlink,copy}]

``SRC`` is COCO 2017 with the panoptic annotations unpacked::

    SRC/<split>2017/<name>.jpg
    SRC/annotations/panoptic_<split>2017.json      images, annotations
                                                   (segments_info),
                                                   categories
    SRC/annotations/panoptic_<split>2017/<name>.png   RGB-encoded segment
                                                   ids: R + 256 G + 256^2 B

``OUT`` gets the layout ``configs/unify/datasets/coco_panoptic_extra.py``
reads::

    OUT/<split>2017/<name>.jpg                  symbolic link
    OUT/panoptic_semseg_<split>2017/<name>.png  ids (coco_panoptic.yaml)
    OUT/coco_panoptic_summary.json

Each segment gets the contiguous id of its category in
``taxonomies/coco_panoptic.yaml``, found by name (0 person .. 132
rug-merged, the order of panopticapi's semantic conversion); crowd segments
keep their category, as in panopticapi; segment id 0 (unlabelled) becomes
255, the taxonomy's ``void`` (and ignore) id: the maps let it stay
unlabelled (``coco-void-may-stay-void`` in
``mmseg_unify/ontology/data_priors.py`` for the Cityscapes table), so it
is pseudo-labelled only where the teacher is sure. A segment id that ``segments_info`` lacks is a fault. The paper uses
the urban images only: ``--subset-lists DIR`` converts the image ids listed in
``DIR/<split>_urban_subset.txt`` (data-priors' ``coco/lists``), and only
those images are linked, so ``OUT/<split>2017`` is the folder of those.
"""
import os.path as osp
from functools import partial
from typing import Dict, List, Optional

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import (ConversionError, Pair, load_json,
                                          panoptic_ids, read_colour)
from mmseg_unify.utils.paths import ontology_file

NAME = 'coco_panoptic'
TAXONOMY = 'coco_panoptic'
DEFAULT_OUT = 'data/coco'
VOID = 255
SPLITS = ('train', 'val')


def category_ids(categories: list, taxonomy: Taxonomy,
                 where: str) -> Dict[int, int]:
    """COCO category id -> taxonomy id, by name.

    Raises:
        ConversionError: If a category name is not in the taxonomy.
    """
    by_name = {c.name: c.id for c in taxonomy.classes}
    ids = {}
    for cat in categories:
        if cat['name'] not in by_name:
            raise ConversionError(f'{where}: category {cat["name"]!r} (id '
                                  f'{cat["id"]}) is not in {taxonomy.path}')
        ids[int(cat['id'])] = by_name[cat['name']]
    return ids


def render(pair: Pair, cats: Dict[int, int]):
    """Semantic ids of one panoptic PNG (``pair.info``: segment id ->
    COCO category id; ``cats``: COCO category id -> taxonomy id); a
    category that ``categories`` lacks is an error naming the segment."""
    segments = {}
    for segment, category in pair.info.items():
        if category not in cats:
            raise ConversionError(
                f'{pair.label}: segment {segment} has category_id '
                f'{category}, which the categories of the JSON lack')
        segments[segment] = cats[category]
    return panoptic_ids(read_colour(pair.label), segments, pair.label, VOID)


def read_subset(folder: Optional[str], split: str) -> Optional[set]:
    """Image ids of ``<folder>/<split>_urban_subset.txt`` (``None``: all).

    Raises:
        ConversionError: A missing list or a line that is not an image id.
    """
    if not folder:
        return None
    path = osp.join(folder, f'{split}_urban_subset.txt')
    ids = set()
    for number, line in cli.list_lines(path, 'subset list'):
        if not line.isdigit():
            raise ConversionError(f'{path}:{number}: {line!r} is not an '
                                  'image id')
        ids.add(int(line))
    return ids


def list_pairs(src: str, out: str, split: str, taxonomy: Taxonomy,
               subset: Optional[set]) -> tuple:
    """One pair per annotated image of ``split`` (``info``: segment id ->
    COCO category id), and the COCO category id -> taxonomy id table.

    Raises:
        ConversionError: On a missing or malformed annotation file.
    """
    path = osp.join(src, 'annotations', f'panoptic_{split}2017.json')
    data = load_json(path)
    pairs: List[Pair] = []
    try:
        cats = category_ids(data['categories'], taxonomy, path)
        images = {im['id']: im['file_name'] for im in data['images']}
        for ann in data['annotations']:
            if subset is not None and int(ann['image_id']) not in subset:
                continue
            name = images.get(ann['image_id'],
                              osp.splitext(ann['file_name'])[0] + '.jpg')
            pairs.append(
                Pair(label=osp.join(src, 'annotations',
                                    f'panoptic_{split}2017',
                                    ann['file_name']),
                     image=osp.join(src, f'{split}2017', name),
                     out_label=osp.join(out, f'panoptic_semseg_{split}2017',
                                        osp.splitext(name)[0] + '.png'),
                     out_image=osp.join(out, f'{split}2017', name),
                     info={int(s['id']): int(s['category_id'])
                           for s in ann['segments_info']}))
    except (KeyError, TypeError, ValueError) as e:
        raise ConversionError(f'{path}: not a COCO panoptic annotation file '
                              f'(missing or malformed {e})') from e
    return pairs, cats


def main(argv=None) -> dict:
    parser = cli.build_parser('COCO panoptic', __doc__, DEFAULT_OUT)
    parser.add_argument('--splits', nargs='+', default=list(SPLITS),
                        help='default: %(default)s')
    parser.add_argument('--subset-lists', metavar='DIR',
                        help='folder of <split>_urban_subset.txt (image '
                        'ids); default: all images')
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs, cats = [], {}
    for split in args.splits:
        found, split_cats = list_pairs(args.src, args.out, split, tax,
                                       read_subset(args.subset_lists, split))
        pairs += found
        cats.update(split_cats)
    work = cli.convert_work(args, partial(render, cats=cats))
    return cli.run(NAME, tax, pairs, work, args, unit='panoptic PNGs')


if __name__ == '__main__':
    cli.run_command(main)
