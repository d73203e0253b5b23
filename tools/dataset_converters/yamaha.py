# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert the Yamaha-CMU off-road dataset (YCOR) colour labels to ids.

    python tools/dataset_converters/yamaha.py SRC [--out data/yamaha] \\
        [--nproc 8] [--force] [--images {symlink,copy}] \\
        [--unknown-as-ignore] [--splits train valid]

Native layout: ``<split>/<iid>/rgb.jpg`` and ``<split>/<iid>/labels.png``
(splits ``train``, ``valid``); ``SRC`` may be ``yamaha_v0`` or the folder
holding it. Colours -> ids of ``ontology_maps/taxonomies/yamaha.yaml``
(:data:`COLOURS`). Writes, under ``--out`` (the layout of
``configs/unify/datasets/yamaha_extra.py``): ``images/<split>/<iid>.jpg``
(a link to ``rgb.jpg``) and ``labels/<split>/<iid>.png`` (ids).
"""
import os
import os.path as osp
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import Pair
from mmseg_unify.utils.paths import ontology_file

NAME = 'yamaha'
TAXONOMY = 'yamaha'
DEFAULT_OUT = 'data/yamaha'
ROOT_FOLDER = 'yamaha_v0'
COLOURS = {
    (255, 255, 255): 0,  # background
    (40, 80, 0): 1,  # high_vegetation
    (128, 255, 0): 2,  # traversable_grass
    (178, 176, 153): 3,  # smooth_trail
    (255, 0, 0): 4,  # obstacle
    (1, 88, 255): 5,  # sky
    (156, 76, 30): 6,  # rough_trail
    (255, 0, 128): 7,  # puddle
    (0, 160, 0): 8,  # non_traversable_low_vegetation
}


def list_pairs(args) -> list:
    """Label/image pairs (one folder per image) of ``--splits`` (default:
    every folder of ``SRC``) and their outputs."""
    src, out, pairs = cli.inner_root(args.src, ROOT_FOLDER), args.out, []
    for split in cli.splits_present(src, args.splits,
                                    lambda s: osp.join(src, s)):
        root = osp.join(src, split)
        for iid in sorted(os.listdir(root)):
            folder = osp.join(root, iid)
            if iid.startswith('.') or not osp.isdir(folder):
                continue
            pairs.append(
                Pair(label=osp.join(folder, 'labels.png'),
                     image=osp.join(folder, 'rgb.jpg'),
                     out_label=osp.join(out, 'labels', split, f'{iid}.png'),
                     out_image=osp.join(out, 'images', split, f'{iid}.jpg')))
    return pairs


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('YCOR (Yamaha-CMU)', __doc__, DEFAULT_OUT,
                              colours=True, splits='all')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.colour_work, table=COLOURS, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
