# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert Freiburg Forest's colour labels (``GT_color``) to ids.

Native layout: ``freiburg_forest_annotated/<split>/rgb/<name>.jpg`` and
``.../<split>/GT_color/<name>.png`` (``<name>`` like ``b1-09517_Clipped``;
splits ``train``, ``test``). Colours -> ids of
``ontology_maps/taxonomies/freiburg_forest.yaml`` (:data:`COLOURS`).
Writes, under ``--out`` (the layout of ``configs/unify/datasets/
freiburg_forest_extra.py``): ``<split>/rgb/<name>.jpg`` (a link) and
``<split>/labels/<name>.png`` (ids)::

    python tools/dataset_converters/freiburg_forest.py \\
        data/downloads/freiburg_forest --nproc 8
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

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


def list_pairs(src: str, out: str, splits=None) -> list:
    """Label/image pairs and their outputs.

    Args:
        src (str): ``freiburg_forest_annotated`` or the folder holding it.
        out (str): Output root.
        splits (list[str], optional): Default: every split with
            ``GT_color``.
    """
    if osp.isdir(osp.join(src, ROOT_FOLDER)):
        src = osp.join(src, ROOT_FOLDER)
    pairs = []
    for split in cli.splits_present(src, splits,
                                    lambda s: osp.join(src, s, 'GT_color')):
        pairs += cli.mirrored_pairs(osp.join(src, split, 'rgb'), '.jpg',
                                    osp.join(src, split, 'GT_color'), '.png',
                                    osp.join(out, split, 'rgb'),
                                    osp.join(out, split, 'labels'))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('Freiburg Forest',
                              __doc__,
                              DEFAULT_OUT,
                              colours=True)
    parser.add_argument('--splits', nargs='+', help='default: all')
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    work = lc.colour_work(args, COLOURS, tax)
    return cli.run(NAME, tax, list_pairs(args.src, args.out, args.splits),
                   work, args.src, args.out, args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
