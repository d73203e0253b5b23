# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert Freiburg Forest's colour labels (``GT_color``) to ids.

    python tools/dataset_converters/freiburg_forest.py SRC \\
        [--out data/freiburg_forest] [--nproc 8] [--force] \\
        [--images {symlink,copy}] [--unknown-as-ignore] [--splits train]

Native layout: ``freiburg_forest_annotated/<split>/rgb/<name>.jpg`` and
``.../<split>/GT_color/<name>.png`` (``<name>`` like ``b1-09517_Clipped``;
splits ``train``, ``test``); ``SRC`` may be ``freiburg_forest_annotated``
or the folder holding it. Colours -> ids of
``ontology_maps/taxonomies/freiburg_forest.yaml`` (:data:`COLOURS`).
Writes, under ``--out`` (the layout of ``configs/unify/datasets/
freiburg_forest_extra.py``): ``<split>/rgb/<name>.jpg`` (a link) and
``<split>/labels/<name>.png`` (ids).
"""
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'freiburg_forest'
TAXONOMY = 'freiburg_forest'
DEFAULT_OUT = 'data/freiburg_forest'
ROOT_FOLDER = 'freiburg_forest_annotated'
COLOURS = {
    (0, 0, 0): 0,  # void (obstacle)
    (170, 170, 170): 1,  # road (trail)
    (0, 255, 0): 2,  # grass
    (102, 102, 51): 3,  # vegetation
    (0, 60, 0): 4,  # tree
    (0, 120, 255): 5,  # sky
}


def list_pairs(args) -> list:
    """Label/image pairs of ``--splits`` (default: every split with
    ``GT_color``) and their outputs."""
    return cli.split_pairs(cli.inner_root(args.src, ROOT_FOLDER),
                           args.splits, '{split}/rgb', '.jpg',
                           '{split}/GT_color', '.png',
                           osp.join(args.out, '{split}', 'rgb'),
                           osp.join(args.out, '{split}', 'labels'))


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('Freiburg Forest', __doc__, DEFAULT_OUT,
                              colours=True, splits='all')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.colour_work, table=COLOURS, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
