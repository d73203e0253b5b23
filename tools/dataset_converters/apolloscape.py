# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate ApolloScape scene-parsing id labels in place (nothing is
converted).

    python tools/dataset_converters/apolloscape.py SRC [--out DIR] \\
        [--nproc 8]

ApolloScape ships class-id PNGs (``*_bin.png``; the ids of
``taxonomies/apolloscape.yaml``, e.g. 17 sky, 33 car, 49 road, 255
unlabeled). ``configs/unify/datasets/apolloscape_extra.py`` reads one road
folder as released::

    SRC/ColorImage/Record*/Camera */<name>.jpg
    SRC/Label/Record*/Camera */<name>_bin.png

``SRC`` may be such a folder, or the folder of several (``road01_ins/``,
``road02_seg/``, ...), each validated; the config then needs one entry per
road folder (or one folder that merges them). Every image must have its
label, of the same size, with ids of the taxonomy. The summary goes to
``--out`` (default ``work_dirs/dataset_checks``).
"""
import os
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import Pair, validate_pair
from mmseg_unify.utils.paths import ontology_file

NAME = 'apolloscape'
TAXONOMY = 'apolloscape'
LABEL_SUFFIX = '_bin.png'


def validate_one(pair: Pair, tax) -> dict:
    """:func:`validate_pair`, with a hint when the label exists without the
    ``_bin`` part of its name."""
    result = validate_pair(pair, tax)
    plain = pair.label[:-len(LABEL_SUFFIX)] + '.png'
    if result['status'] == 'error' and not osp.isfile(pair.label) \
            and osp.isfile(plain):
        result['error'] += (f' ({plain} exists: this folder names its '
                            "labels without '_bin'; set seg_map_suffix="
                            "'.png')")
    return result


def road_folders(src: str) -> list:
    """``src`` if it holds ``ColorImage/``, else its sub-folders that do."""
    if osp.isdir(osp.join(src, 'ColorImage')):
        return [src]
    names = sorted(os.listdir(src)) if osp.isdir(src) else []
    return [osp.join(src, d) for d in names
            if osp.isdir(osp.join(src, d, 'ColorImage'))]


def main(argv=None) -> dict:
    parser = cli.build_parser('ApolloScape', __doc__,
                              'work_dirs/dataset_checks', writes=False,
                              links=False)
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs = []
    for road in road_folders(args.src):
        pairs += cli.mirrored_pairs(osp.join(road, 'ColorImage'), '.jpg',
                                    osp.join(road, 'Label'), LABEL_SUFFIX)
    return cli.run(NAME, tax, pairs, partial(validate_one, tax=tax), args)


if __name__ == '__main__':
    cli.run_command(main)
