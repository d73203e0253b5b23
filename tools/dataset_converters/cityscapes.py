# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate Cityscapes' raw label ids (``*_gtFine_labelIds.png``) in place.

    python tools/dataset_converters/cityscapes.py SRC [--out DIR] \\
        [--nproc 8] [--splits train val]

Cityscapes ships raw-id PNGs in the layout ``configs/unify/datasets/
cityscapes_labelids_extra.py`` reads, so nothing is converted: every image
``leftImg8bit/<split>/<city>/<name>_leftImg8bit.png`` must have
``gtFine/<split>/<city>/<name>_gtFine_labelIds.png`` of the same size whose
ids are classes of ``ontology_maps/taxonomies/cityscapes_labelids.yaml``
(0..33; 255 is accepted as unlabelled). The summary goes to ``--out``
(default ``work_dirs/dataset_checks``).
"""
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'cityscapes_labelids'
TAXONOMY = 'cityscapes_labelids'
IMG_SUFFIX = '_leftImg8bit.png'
LABEL_SUFFIX = '_gtFine_labelIds.png'


def list_pairs(args) -> list:
    """Image/label pairs of ``--splits`` (default: every split under both
    ``leftImg8bit`` and ``gtFine`` but ``test``, whose labels are
    placeholders)."""
    return cli.split_pairs(args.src, args.splits, 'leftImg8bit/{split}',
                           IMG_SUFFIX, 'gtFine/{split}', LABEL_SUFFIX,
                           skip=('test', ))


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('Cityscapes', __doc__,
                              'work_dirs/dataset_checks', writes=False,
                              links=False, splits='every labelled one but '
                              'test')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.validate_work, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
