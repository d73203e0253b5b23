# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert the Makassar road lane segmentation colour masks to ids.

Native layout (as the paper's authors read it): ``<split>/images/<name>.jpg``
(or ``.png``) and the colour mask ``<split>/masks/<name>.png``. Colours ->
ids of ``ontology_maps/taxonomies/road_lane_segmentation.yaml``:

    (0, 0, 0) -> 0 void   (128, 0, 0) -> 1 road
    (0, 128, 0) -> 2 lane_mark_solid   (128, 128, 0) -> 3 lane_mark_dashed

Writes, under ``--out`` (the layout of ``configs/unify/datasets/
road_lane_segmentation_extra.py``): ``images/<split>/<name>.<ext>`` (a link
to the image) and ``labels/<split>/<name>.png`` (ids)::

    python tools/dataset_converters/road_lane.py \\
        data/downloads/road_lane_segmentation --nproc 8
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

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


def list_pairs(src: str, out: str, splits=None) -> list:
    """Mask/image pairs and their outputs.

    Args:
        src (str): Root with ``<split>/images`` and ``<split>/masks``.
        out (str): Output root.
        splits (list[str], optional): Default: every split with both.
    """
    pairs = []
    for split in cli.splits_present(src, splits,
                                    lambda s: osp.join(src, s, 'masks')):
        for suffix in IMG_SUFFIXES:
            pairs += cli.mirrored_pairs(osp.join(src, split, 'images'), suffix,
                                        osp.join(src, split, 'masks'), '.png',
                                        osp.join(out, 'images', split),
                                        osp.join(out, 'labels', split))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('Road lane segmentation (Makassar)',
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
