# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert COCO panoptic annotations to semantic raw-id PNGs.

    python tools/dataset_converters/coco_panoptic.py SRC [--out data/coco] \\
        [--splits train val] [--subset-lists DIR] [--nproc 8] [--force]

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
255. A segment id that ``segments_info`` lacks is an error. The paper uses
the urban images only: ``--subset-lists DIR`` converts the image ids listed in
``DIR/<split>_urban_subset.txt`` (data-priors' ``coco/lists``), and only
those images are linked, so ``OUT/<split>2017`` is the folder of those.
"""
import argparse
import os
import os.path as osp
import sys
import uuid
from functools import partial
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, id_counts,
                                          load_json, needs_writing, run_items)
from mmseg_unify.utils.label_io import read_label, write_png_atomic
from mmseg_unify.utils.paths import ontology_file

NAME = 'coco_panoptic'
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


def semantic(png: np.ndarray, segments: Dict[int, int],
             path: str) -> np.ndarray:
    """Semantic ids of one panoptic PNG.

    Args:
        png (np.ndarray): H x W x 3 RGB.
        segments (dict[int, int]): Segment id -> taxonomy id.
        path (str): The PNG, for the error.

    Raises:
        ConversionError: Naming the file and a segment id (and its colour)
            that ``segments_info`` lacks.
    """
    rgb = png.astype(np.int64)
    seg = rgb[..., 0] + 256 * rgb[..., 1] + 256 * 256 * rgb[..., 2]
    values, inverse = np.unique(seg, return_inverse=True)
    lut = np.full(len(values), VOID, dtype=np.uint8)
    for i, value in enumerate(values.tolist()):
        if value in segments:
            lut[i] = segments[value]
        elif value != 0:
            r, g, b = value % 256, value // 256 % 256, value // 65536
            raise ConversionError(
                f'{path}: segment id {value} (RGB ({r}, {g}, {b})) is not in '
                'its segments_info')
    return lut[inverse.reshape(seg.shape)]


def read_rgb(path: str) -> np.ndarray:
    """An RGB image as H x W x 3 ``uint8`` (errors name the file)."""
    if not osp.isfile(path):
        raise ConversionError(f'panoptic PNG {path} does not exist')
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ConversionError(f'cannot read panoptic PNG {path}')
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
    """Raise unless a label of ``shape`` has the size of ``image``."""
    with Image.open(image) as img:
        h, w = img.height, img.width
    if tuple(shape[:2]) != (h, w):
        raise ConversionError(f'{path}: size {shape[1]}x{shape[0]} differs '
                              f'from its image {image} ({w}x{h})')


def convert_one(item: tuple, force: bool = False) -> dict:
    """Convert one panoptic PNG and link its image.

    Args:
        item (tuple): Panoptic PNG, image, image link, output label and
            ``{segment id: taxonomy id}``.
        force (bool): Rewrite an existing output label.

    Returns:
        dict: ``status`` (``written``/``kept``) and ``ids``.
    """
    png, image, image_out, label_out, segments = item
    if not osp.isfile(image):
        raise ConversionError(f'{png}: its image {image} is missing')
    link_file(image, image_out)
    if not needs_writing(label_out, force):
        return dict(status='kept', ids=id_counts(read_label(label_out)))
    label = semantic(read_rgb(png), segments, png)
    check_size(label.shape, image, png)
    write_png_atomic(label_out, label)
    return dict(status='written', ids=id_counts(label))


def read_subset(folder: Optional[str], split: str) -> Optional[set]:
    """Image ids of ``<folder>/<split>_urban_subset.txt`` (``None``: all)."""
    if not folder:
        return None
    path = osp.join(folder, f'{split}_urban_subset.txt')
    if not osp.isfile(path):
        raise ConversionError(f'subset list {path} does not exist')
    with open(path) as f:
        return {int(line) for line in f if line.strip()}


def segment_ids(ann: dict, cats: Dict[int, int], path: str) -> dict:
    """``{segment id: taxonomy id}`` of one annotation.

    Raises:
        ConversionError: If a segment's category is not in ``categories``.
    """
    segments = {}
    for seg in ann['segments_info']:
        if seg['category_id'] not in cats:
            raise ConversionError(
                f'{path}: segment {seg["id"]} of {ann["file_name"]} has '
                f'category id {seg["category_id"]}, which categories lacks')
        segments[int(seg['id'])] = cats[seg['category_id']]
    return segments


def list_items(src: str, out: str, split: str, taxonomy: Taxonomy,
               subset: Optional[set]) -> List[tuple]:
    """One work item per annotated image of ``split``.

    Raises:
        ConversionError: On a missing or malformed annotation file.
    """
    path = osp.join(src, 'annotations', f'panoptic_{split}2017.json')
    pngs = osp.join(src, 'annotations', f'panoptic_{split}2017')
    data = load_json(path)
    items = []
    try:
        cats = category_ids(data['categories'], taxonomy, path)
        images = {im['id']: im['file_name'] for im in data['images']}
        for ann in data['annotations']:
            if subset is not None and int(ann['image_id']) not in subset:
                continue
            name = images.get(ann['image_id'])
            if name is None:
                raise ConversionError(
                    f'{path}: annotation {ann["file_name"]} has image_id '
                    f'{ann["image_id"]}, which images lacks')
            png = osp.join(pngs, ann['file_name'])
            image = osp.join(src, f'{split}2017', name)
            link = osp.join(out, f'{split}2017', name)
            label = osp.join(out, f'panoptic_semseg_{split}2017',
                             osp.splitext(name)[0] + '.png')
            segments = segment_ids(ann, cats, path)
            items.append((png, image, link, label, segments))
    except (KeyError, TypeError) as e:
        raise ConversionError(f'{path}: not a COCO panoptic annotation file '
                              f'(missing {e})') from e
    return items


def convert(src: str,
            out: str,
            splits: Sequence[str] = SPLITS,
            subset_lists: Optional[str] = None,
            nproc: int = 1,
            force: bool = False) -> ConversionSummary:
    """Convert the panoptic annotations of ``splits`` into ``out``.

    Args:
        src (str): COCO root (never written).
        out (str): Output root, outside ``src``.
        splits (Sequence[str]): E.g. ``('train', 'val')``.
        subset_lists (str, optional): Folder of ``<split>_urban_subset.txt``.
        nproc (int): Worker processes.
        force (bool): Rewrite labels that exist already.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    items = []
    for split in splits:
        items += list_items(src, out, split, taxonomy,
                            read_subset(subset_lists, split))
    print(f'{NAME}: {len(items)} panoptic PNGs of {", ".join(splits)} in '
          f'{src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    for result in run_items(partial(convert_one, force=force), items, nproc):
        summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert COCO panoptic PNGs to raw ids of '
        'taxonomies/coco_panoptic.yaml.')
    parser.add_argument('src', help='COCO root (annotations/, <split>2017/)')
    parser.add_argument('--out',
                        default='data/coco',
                        help='output root (default: data/coco)')
    parser.add_argument('--splits',
                        nargs='+',
                        default=list(SPLITS),
                        help='default: train val')
    parser.add_argument('--subset-lists',
                        help='folder of <split>_urban_'
                        'subset.txt (image ids); default: all images')
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
    return convert(args.src, args.out, args.splits, args.subset_lists,
                   args.nproc, args.force)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
