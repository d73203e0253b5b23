# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate BDD100K's semantic id labels in place (nothing is converted).

    python tools/dataset_converters/bdd100k.py SRC [--out DIR] \\
        [--splits train val] [--nproc 8]

BDD100K ships id PNGs (ids of ``taxonomies/bdd.yaml``: 0 road .. 18
bicycle, 255 void) in the layout ``configs/unify/datasets/bdd_extra.py``
reads::

    SRC/images/10k/<split>/<name>.jpg
    SRC/labels/sem_seg/masks/<split>/<name>.png

Every image of a split that has a mask folder must have its mask, of the
same size, with ids of the taxonomy. The summary goes to ``--out`` (default
``work_dirs/dataset_checks``).
"""
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'bdd100k'
TAXONOMY = 'bdd'
IMAGES = osp.join('images', '10k')
MASKS = osp.join('labels', 'sem_seg', 'masks')


def list_pairs(args) -> list:
    """Image/mask pairs of ``--splits`` (default: every split with
    masks)."""
    return cli.split_pairs(args.src, args.splits, f'{IMAGES}/{{split}}',
                           '.jpg', f'{MASKS}/{{split}}', '.png')


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('BDD100K', __doc__, 'work_dirs/dataset_checks',
                              writes=False, links=False,
                              splits='every labels/sem_seg/masks/<split>')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.validate_work, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
