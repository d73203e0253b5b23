# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert A2D2's colour-coded semantic labels to raw-id PNGs.

    python tools/dataset_converters/a2d2.py SRC [--out data/a2d2] \\
        [--class-list FILE] [--nproc 8] [--force] [--images {symlink,copy}] \\
        [--unknown-as-ignore]

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
pixel whose colour the list lacks is a fault (file, colour and position
named), not silently void, unless ``--unknown-as-ignore``.
"""
import os.path as osp
import re
from glob import glob
from typing import Dict, List

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, Pair, load_json
from mmseg_unify.utils.paths import ontology_file

NAME = 'a2d2'
TAXONOMY = 'a2d2'
DEFAULT_OUT = 'data/a2d2'
ALIASES = {
    'small vehicles': 'motorcycle',
    'traffic signal': 'traffic light',
    'sidebars': 'sidebar'
}


def class_name_to_id(taxonomy: Taxonomy, name: str, where: str) -> int:
    """The taxonomy id of a ``class_list.json`` name (e.g. ``'Car 2'``).

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


def colour_table(path: str, taxonomy: Taxonomy) -> Dict[tuple, int]:
    """``(r, g, b)`` -> taxonomy id of ``class_list.json``.

    Raises:
        ConversionError: On a malformed colour or an unknown class name.
    """
    table = {}
    for colour, name in load_json(path).items():
        if not re.fullmatch(r'#[0-9a-fA-F]{6}', colour):
            raise ConversionError(f'{path}: {colour!r} (class {name!r}) is '
                                  'not a colour of the form "#rrggbb"')
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        table[rgb] = class_name_to_id(taxonomy, name, path)
    return table


def list_pairs(src: str, out: str) -> List[Pair]:
    """Every native label file with its image and output paths (the label
    is written under the image's name)."""
    pairs = []
    for label in sorted(glob(osp.join(src, '*', 'label', '*', '*.png'))):
        cam_dir = osp.dirname(label)
        scene = osp.basename(osp.dirname(osp.dirname(cam_dir)))
        name = osp.basename(label).replace('_label_', '_camera_', 1)
        rel = osp.join(scene, osp.basename(cam_dir), name)
        pairs.append(
            Pair(label=label,
                 image=osp.join(src, scene, 'camera', osp.basename(cam_dir),
                                name),
                 out_label=osp.join(out, 'labels', rel),
                 out_image=osp.join(out, 'images', rel)))
    return pairs


def table_file(src: str) -> str:
    """``SRC/class_list.json``, else the copy in
    ``ontology_maps/data-priors/a2d2/lists/``."""
    return cli.file_or_shipped(osp.join(src, 'class_list.json'),
                               'data-priors/a2d2/lists/class_list.json',
                               NAME)


def main(argv=None) -> dict:
    parser = cli.build_parser('A2D2 (camera_lidar_semantic)', __doc__,
                              DEFAULT_OUT, colours=True)
    parser.add_argument('--class-list', metavar='FILE',
                        help='colour list (default: SRC/class_list.json)')
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    table = colour_table(args.class_list or table_file(args.src), tax)
    return cli.run(NAME, tax, list_pairs(args.src, args.out),
                   cli.colour_work(args, table, tax), args)


if __name__ == '__main__':
    cli.run_command(main)
