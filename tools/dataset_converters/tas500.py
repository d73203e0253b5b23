# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate TAS500's id labels in place.

TAS500 ships raw-id PNGs in the layout ``configs/unify/datasets/
tas500_extra.py`` reads, so nothing is converted: every image
``<split>/<name>.png`` must have ``<split>_labels_ids/<name>.png`` of the
same size whose ids are classes of ``ontology_maps/taxonomies/tas500.yaml``
(0..22, and 255, which is the class *puddle* here, not void). The summary
goes to ``--out``::

    python tools/dataset_converters/tas500.py data/tas500 --nproc 8
"""
import os.path as osp
import sys
from functools import partial

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'tas500'
TAXONOMY = 'tas500'


def list_pairs(src: str, splits=None) -> list:
    """Image/label pairs of the splits that have labels.

    Args:
        src (str): TAS500 root (``train/``, ``train_labels_ids/``, ...).
        splits (list[str], optional): Default: every ``<split>`` with a
            ``<split>_labels_ids`` folder.
    """
    pairs = []
    for split in cli.splits_present(
            src, splits, lambda s: osp.join(src, f'{s}_labels_ids')):
        pairs += cli.mirrored_pairs(osp.join(src, split), '.png',
                                    osp.join(src, f'{split}_labels_ids'),
                                    '.png')
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('TAS500',
                              __doc__,
                              'work_dirs/dataset_checks',
                              writes=False)
    parser.add_argument('--splits', nargs='+', help='default: all labelled')
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    return cli.run(NAME, tax, list_pairs(args.src, args.splits),
                   partial(lc.validate_pair, tax=tax), args.src, args.out,
                   args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
