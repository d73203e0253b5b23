# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate GOOSE 2D's id labels (``*_labelids.png``) in place.

    python tools/dataset_converters/goose.py SRC [--out DIR] [--nproc 8] \\
        [--splits train val] [--subset-lists DIR [--images copy] [--force]]

GOOSE ships raw-id PNGs in the layout ``configs/unify/datasets/
goose2d_extra.py`` reads, so nothing is converted: every image
``images/<split>/<scenario>/<name>_windshield_vis.png`` must have
``labels/<split>/<scenario>/<name>_labelids.png`` of the same size whose ids
are classes of ``ontology_maps/taxonomies/goose2d.yaml``. Splits without
labels (test) are skipped. The summary goes to ``--out`` (default
``work_dirs/dataset_checks``).

The urban setting uses GOOSE's urban scenes only: ``--subset-lists DIR``
validates the images listed in ``DIR/<split>_urban_subset.txt`` (data-priors'
``datasets/goose2d/lists``) and links them with their labels into the same
layout under ``--out`` (default ``data/goose_urban``; point the config's
``data_root`` there).
"""
import os.path as osp

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, Pair
from mmseg_unify.utils.paths import ontology_file

NAME = 'goose'
TAXONOMY = 'goose2d'
IMG_SUFFIX = '_windshield_vis.png'
LABEL_SUFFIX = '_labelids.png'
CHECKS_OUT, SUBSET_OUT = 'work_dirs/dataset_checks', 'data/goose_urban'


def list_pairs(src: str, splits=None) -> list:
    """Image/label pairs of the splits that have labels (default: all)."""
    return cli.split_pairs(src, splits, 'images/{split}', IMG_SUFFIX,
                           'labels/{split}', LABEL_SUFFIX)


def subset_pairs(src: str, lists: str, out: str, splits) -> list:
    """Pairs of the images in ``<lists>/<split>_urban_subset.txt``, linked
    under ``out`` in GOOSE's own layout.

    Raises:
        ConversionError: A list is missing, or a listed name does not end
            with ``_windshield_vis.png`` (names the list and line).
    """
    pairs = []
    for split in splits or ('train', 'val'):
        path = osp.join(lists, f'{split}_urban_subset.txt')
        for number, rel in cli.list_lines(path, 'subset list'):
            if not rel.endswith(IMG_SUFFIX):
                raise ConversionError(f'{path}:{number}: {rel!r} is not a '
                                      f'*{IMG_SUFFIX} image')
            label = rel[:-len(IMG_SUFFIX)] + LABEL_SUFFIX
            pairs.append(
                Pair(label=osp.join(src, 'labels', split, label),
                     image=osp.join(src, 'images', split, rel),
                     out_label=osp.join(out, 'labels', split, label),
                     out_image=osp.join(out, 'images', split, rel)))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser(
        'GOOSE 2D', __doc__, None,
        out_help=f'folder of the summary JSON (default {CHECKS_OUT}); with '
        f'--subset-lists the root of the subset (default {SUBSET_OUT})')
    parser.add_argument('--splits', nargs='+', help='default: all labelled')
    parser.add_argument('--subset-lists', metavar='DIR',
                        help='link the listed (urban) images into --out')
    args = cli.parse_args(
        parser, argv,
        lambda a: SUBSET_OUT if a.subset_lists else CHECKS_OUT)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    if args.subset_lists:
        pairs = subset_pairs(args.src, args.subset_lists, args.out,
                             args.splits)
    else:
        pairs = list_pairs(args.src, args.splits)
    return cli.run(NAME, tax, pairs, cli.validate_work(args, tax), args)


if __name__ == '__main__':
    cli.run_command(main)
