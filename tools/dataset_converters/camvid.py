# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert CamVid's colour-coded labels to raw-id PNGs.

    python tools/dataset_converters/camvid.py SRC [--out data/camvid] \\
        [--nproc 8] [--force] [--images {symlink,copy}] \\
        [--unknown-as-ignore] [--splits train val test]

``SRC`` is CamVid in the SegNet/Kaggle layout that data-priors used::

    SRC/class_dict.csv                 name,r,g,b (32 classes; if absent:
                                       ontology_maps/data-priors/CamVid/
                                       lists/class_dict.csv)
    SRC/<split>/<name>.png             split: train, val, test
    SRC/<split>_labels/<name>_L.png    RGB colour labels

``OUT`` gets the layout ``configs/unify/datasets/camvid_extra.py`` reads::

    OUT/images/<split>/<name>.png      symbolic link to the image
    OUT/labels/<split>/<name>.png      ids of taxonomies/camvid.yaml
    OUT/camvid_summary.json

Each row of ``class_dict.csv`` becomes the id of the taxonomy class of the
same name (case ignored), which is the row index as in data-priors'
``prepare_camvid.py``. ``Bridge`` is id 3 (data-priors' ``labels.csv``
names that id "Bicyclist" a second time; ``tools/convert_data_priors.py``
corrects it, see ``camvid-id3-bridge`` in
``mmseg_unify/ontology/data_priors.py``). A colour that the table lacks is
a fault unless ``--unknown-as-ignore``.
"""
import csv
import os.path as osp
from typing import Dict

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError
from mmseg_unify.utils.paths import ontology_file

NAME = 'camvid'
TAXONOMY = 'camvid'
DEFAULT_OUT = 'data/camvid'
LABEL_SUFFIX = '_L.png'


def colour_table(path: str, taxonomy: Taxonomy) -> Dict[tuple, int]:
    """``(r, g, b)`` -> taxonomy id of ``class_dict.csv`` (columns
    ``name, r, g, b``).

    Raises:
        ConversionError: Naming the file and the row, column or class at
            fault.
    """
    by_name = {c.name.lower(): c.id for c in taxonomy.classes}
    if not osp.isfile(path):
        raise ConversionError(f'class table {path} does not exist')
    table = {}
    with open(path, newline='') as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                name = row['name'].strip()
                rgb = tuple(int(row[k]) for k in 'rgb')
            except (KeyError, TypeError, ValueError) as e:
                raise ConversionError(f'{path}:{line}: expected columns '
                                      f'name,r,g,b; got {row} ({e})') from e
            key = name.lower()
            if key not in by_name:
                raise ConversionError(f'{path}:{line}: class {name!r} is '
                                      f'not in {taxonomy.path}')
            table[rgb] = by_name[key]
    return table


def list_pairs(src: str, out: str, splits=None) -> list:
    """Every image of ``splits`` (default: every ``<split>`` with a
    ``<split>_labels`` folder) with its label and outputs."""
    return cli.split_pairs(src, splits, '{split}', '.png', '{split}_labels',
                           LABEL_SUFFIX, osp.join(out, 'images', '{split}'),
                           osp.join(out, 'labels', '{split}'))


def table_file(src: str) -> str:
    """``SRC/class_dict.csv``, else the copy in
    ``ontology_maps/data-priors/CamVid/lists/``."""
    return cli.file_or_shipped(osp.join(src, 'class_dict.csv'),
                               'data-priors/CamVid/lists/class_dict.csv',
                               NAME)


def main(argv=None) -> dict:
    parser = cli.build_parser('CamVid', __doc__, DEFAULT_OUT, colours=True)
    parser.add_argument('--splits', nargs='+',
                        help='default: every split with <split>_labels/')
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    table = colour_table(table_file(args.src), tax)
    return cli.run(NAME, tax, list_pairs(args.src, args.out, args.splits),
                   cli.colour_work(args, table, tax), args)


if __name__ == '__main__':
    cli.run_command(main)
