# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert the Makassar road lane segmentation colour masks to ids.

    python tools/dataset_converters/road_lane.py SRC \\
        [--out data/road_lane_segmentation] [--nproc 8] [--force] \\
        [--images {symlink,copy}] [--unknown-as-ignore] [--splits train]

Native layout (as the paper's authors read it): ``<split>/images/<name>.jpg``
(or ``.png``) and the colour mask ``<split>/masks/<name>.png`` (RGB or
palette). Colours -> ids of
``ontology_maps/taxonomies/road_lane_segmentation.yaml``:

    (0, 0, 0) -> 0 void   (128, 0, 0) -> 1 road
    (0, 128, 0) -> 2 lane_mark_solid   (128, 128, 0) -> 3 lane_mark_dashed

Writes, under ``--out`` (the layout of ``configs/unify/datasets/
road_lane_segmentation_extra.py``): ``images/<split>/<name>.<ext>`` (a link
to the image) and ``labels/<split>/<name>.png`` (ids).
"""
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'road_lane_segmentation'
TAXONOMY = 'road_lane_segmentation'
DEFAULT_OUT = 'data/road_lane_segmentation'
IMG_SUFFIXES = ('.jpg', '.png')
COLOURS = {
    (0, 0, 0): 0,
    (128, 0, 0): 1,
    (0, 128, 0): 2,
    (128, 128, 0): 3,
}


def list_pairs(args) -> list:
    """Mask/image pairs of ``--splits`` (default: every split with masks)
    and their outputs."""
    return cli.split_pairs(args.src, args.splits, '{split}/images',
                           IMG_SUFFIXES, '{split}/masks', '.png',
                           osp.join(args.out, 'images', '{split}'),
                           osp.join(args.out, 'labels', '{split}'))


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('Road lane segmentation (Makassar)', __doc__,
                              DEFAULT_OUT, colours=True, splits='all')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.colour_work, table=COLOURS, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
