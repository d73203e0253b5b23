# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert the Yamaha-CMU off-road dataset (YCOR) colour labels to ids.

Native layout: ``<split>/<iid>/rgb.jpg`` and ``<split>/<iid>/labels.png``
(splits ``train``, ``valid``). Colours -> ids of
``ontology_maps/taxonomies/yamaha.yaml`` (:data:`COLOURS`). Writes, under
``--out`` (the layout of ``configs/unify/datasets/yamaha_extra.py``):
``images/<split>/<iid>.jpg`` (a link to ``rgb.jpg``) and
``labels/<split>/<iid>.png`` (ids)::

    python tools/dataset_converters/yamaha.py data/downloads/yamaha_v0 \\
        --nproc 8
"""
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

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


def list_pairs(src: str, out: str, splits=None) -> list:
    """Label/image pairs (one folder per image) and their outputs.

    Args:
        src (str): ``yamaha_v0`` (``<split>/<iid>/{rgb.jpg,labels.png}``)
            or the folder holding it.
        out (str): Output root.
        splits (list[str], optional): Default: every folder of ``src``.
    """
    if osp.isdir(osp.join(src, ROOT_FOLDER)):
        src = osp.join(src, ROOT_FOLDER)
    pairs = []
    for split in cli.splits_present(src, splits, lambda s: osp.join(src, s)):
        root = osp.join(src, split)
        for iid in sorted(os.listdir(root)):
            folder = osp.join(root, iid)
            if iid.startswith('.') or not osp.isdir(folder):
                continue
            pairs.append(
                lc.Pair(label=osp.join(folder, 'labels.png'),
                        image=osp.join(folder, 'rgb.jpg'),
                        out_label=osp.join(out, 'labels', split, f'{iid}.png'),
                        out_image=osp.join(out, 'images', split,
                                           f'{iid}.jpg')))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('YCOR (Yamaha-CMU)',
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
