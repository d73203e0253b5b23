# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate GOOSE 2D's id labels (``*_labelids.png``) in place.

GOOSE ships raw-id PNGs in the layout ``configs/unify/datasets/
goose2d_extra.py`` reads, so nothing is converted: every image
``images/<split>/<scenario>/<name>_windshield_vis.png`` must have
``labels/<split>/<scenario>/<name>_labelids.png`` of the same size whose ids
are classes of ``ontology_maps/taxonomies/goose2d.yaml``. Splits without
labels (test) are skipped. The summary goes to ``--out``::

    python tools/dataset_converters/goose.py data/goose --nproc 8

The urban setting uses GOOSE's urban scenes only: ``--subset-lists DIR``
validates the images listed in ``DIR/<split>_urban_subset.txt`` (data-priors'
``datasets/goose2d/lists``) and links them with their labels into the same
layout under ``--out`` (default ``data/goose_urban``; point the config's
``data_root`` there)::

    python tools/dataset_converters/goose.py data/goose \\
        --subset-lists data-priors/datasets/goose2d/lists
"""
import os.path as osp
import sys
from functools import partial

from mmseg_unify.utils.conversion import ConversionError

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'goose'
TAXONOMY = 'goose2d'
IMG_SUFFIX = '_windshield_vis.png'
LABEL_SUFFIX = '_labelids.png'
CHECKS_OUT, SUBSET_OUT = 'work_dirs/dataset_checks', 'data/goose_urban'


def list_pairs(src: str, splits=None) -> list:
    """Image/label pairs of the splits that have labels.

    Args:
        src (str): GOOSE root (``images/``, ``labels/``).
        splits (list[str], optional): Default: every split with labels.
    """
    pairs = []
    for split in cli.splits_present(osp.join(src, 'images'), splits,
                                    lambda s: osp.join(src, 'labels', s)):
        pairs += cli.mirrored_pairs(osp.join(src, 'images', split),
                                    IMG_SUFFIX,
                                    osp.join(src, 'labels', split),
                                    LABEL_SUFFIX)
    return pairs


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
        if not osp.isfile(path):
            raise ConversionError(f'subset list {path} does not exist')
        with open(path) as f:
            names = [(n, line.strip()) for n, line in enumerate(f, 1)]
        for number, rel in filter(lambda item: item[1], names):
            if not rel.endswith(IMG_SUFFIX):
                raise ConversionError(f'{path}:{number}: {rel!r} is not a '
                                      f'*{IMG_SUFFIX} image')
            label = rel[:-len(IMG_SUFFIX)] + LABEL_SUFFIX
            pairs.append(
                lc.Pair(label=osp.join(src, 'labels', split, label),
                        image=osp.join(src, 'images', split, rel),
                        out_label=osp.join(out, 'labels', split, label),
                        out_image=osp.join(out, 'images', split, rel)))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser(
        'GOOSE 2D', __doc__, None, writes=False,
        out_help=f'folder of the summary JSON (default {CHECKS_OUT}); with '
        f'--subset-lists the root of the subset (default {SUBSET_OUT})')
    parser.add_argument('--splits', nargs='+', help='default: all labelled')
    parser.add_argument('--subset-lists', metavar='DIR',
                        help='link the listed (urban) images into --out')
    parser.add_argument('--images', choices=('symlink', 'copy'),
                        default='symlink',
                        help='with --subset-lists; default: %(default)s')
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    if args.subset_lists:
        out = args.out or SUBSET_OUT
        pairs = subset_pairs(args.src, args.subset_lists, out, args.splits)
    else:
        out = args.out or CHECKS_OUT
        pairs = list_pairs(args.src, args.splits)
    work = partial(lc.validate_pair, tax=tax, mode=args.images)
    return cli.run(NAME, tax, pairs, work, args.src, out, args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
