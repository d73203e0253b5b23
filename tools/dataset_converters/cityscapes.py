# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate Cityscapes' raw label ids (``*_gtFine_labelIds.png``) in place.

Cityscapes ships raw-id PNGs in the layout ``configs/unify/datasets/
cityscapes_labelids_extra.py`` reads, so nothing is converted: every image
``leftImg8bit/<split>/<city>/<name>_leftImg8bit.png`` must have
``gtFine/<split>/<city>/<name>_gtFine_labelIds.png`` of the same size whose
ids are classes of ``ontology_maps/taxonomies/cityscapes_labelids.yaml``
(0..33; 255 is accepted as unlabelled). The summary goes to ``--out``::

    python tools/dataset_converters/cityscapes.py data/cityscapes --nproc 8
"""
import os.path as osp
import sys
from functools import partial

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'cityscapes_labelids'
TAXONOMY = 'cityscapes_labelids'
IMG_SUFFIX = '_leftImg8bit.png'
LABEL_SUFFIX = '_gtFine_labelIds.png'


def list_pairs(src: str, splits=None) -> list:
    """Image/label pairs of the splits that have fine labels.

    Args:
        src (str): Cityscapes root (``leftImg8bit/``, ``gtFine/``).
        splits (list[str], optional): Default: every split under both
            but ``test`` (its labels are placeholders).
    """
    present = cli.splits_present(osp.join(src, 'leftImg8bit'), splits,
                                 lambda s: osp.join(src, 'gtFine', s))
    pairs = []
    for split in splits or [s for s in present if s != 'test']:
        pairs += cli.mirrored_pairs(
            osp.join(src, 'leftImg8bit', split), IMG_SUFFIX,
            osp.join(src, 'gtFine', split), LABEL_SUFFIX)
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('Cityscapes', __doc__,
                              'work_dirs/dataset_checks', writes=False)
    parser.add_argument('--splits', nargs='+',
                        help='default: every labelled split but test')
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    return cli.run(NAME, tax, list_pairs(args.src, args.splits),
                   partial(lc.validate_pair, tax=tax), args.src, args.out,
                   args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
