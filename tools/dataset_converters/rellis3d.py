# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate RELLIS-3D's id labels and link them into one layout.

    python tools/dataset_converters/rellis3d.py SRC [--out data/rellis3d] \\
        [--nproc 8] [--force] [--images {symlink,copy}] [--splits train]

Native layout (the two camera archives and the split lists)::

    Rellis_3D_pylon_camera_node/Rellis-3D/<seq>/pylon_camera_node/<f>.jpg
    Rellis_3D_pylon_camera_node_label_id/Rellis-3D/<seq>/
        pylon_camera_node_label_id/<f>.png
    Rellis_3D_image_split/{train,val,test}.lst   (lines "<image> <label>")

The labels already are raw ids (``ontology_maps/taxonomies/rellis3d.yaml``);
each is validated (ids in the taxonomy, size of its image) and, with its
image, linked (or copied) into the layout of ``configs/unify/datasets/
rellis3d_extra.py`` under ``--out``: ``images/<seq>/<f>.jpg`` and
``labels/<seq>/<f>.png``. Default: every image of the camera archive (its
label must exist; labels without an image are left out); ``--splits train``
takes the images of ``train.lst`` only.
"""
import os.path as osp

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, Pair
from mmseg_unify.utils.label_io import list_label_files
from mmseg_unify.utils.paths import ontology_file

NAME = 'rellis3d'
TAXONOMY = 'rellis3d'
DEFAULT_OUT = 'data/rellis3d'
IMAGES = osp.join('Rellis_3D_pylon_camera_node', 'Rellis-3D')
LABELS = osp.join('Rellis_3D_pylon_camera_node_label_id', 'Rellis-3D')
SPLITS = 'Rellis_3D_image_split'
IMG_FOLDER, LABEL_FOLDER = 'pylon_camera_node', 'pylon_camera_node_label_id'


def make_pair(src: str, out: str, image_rel: str, label_rel: str) -> Pair:
    """The pair of one image (relative to :data:`IMAGES`) and its label
    (relative to :data:`LABELS`); outputs under ``<seq>/<f>``."""
    seq = image_rel.replace('\\', '/').split('/')[0]
    stem = osp.splitext(osp.basename(image_rel))[0]
    return Pair(label=osp.join(src, LABELS, label_rel),
                image=osp.join(src, IMAGES, image_rel),
                out_label=osp.join(out, 'labels', seq, f'{stem}.png'),
                out_image=osp.join(out, 'images', seq, f'{stem}.jpg'))


def pairs_from_lists(src: str, out: str, splits) -> list:
    """Pairs listed in ``Rellis_3D_image_split/<split>.lst``.

    Raises:
        ConversionError: A list is missing or has a malformed line (names
            the file and line).
    """
    pairs = []
    for split in splits:
        path = osp.join(src, SPLITS, f'{split}.lst')
        for number, line in cli.list_lines(path, 'split list'):
            parts = line.split()
            if len(parts) != 2:
                raise ConversionError(f'{path}:{number}: expected "<image> '
                                      f'<label>", got {line!r}')
            pairs.append(make_pair(src, out, *parts))
    return pairs


def pairs_from_images(src: str, out: str) -> list:
    """A pair for every ``<seq>/pylon_camera_node/<f>.jpg``."""
    pairs = []
    for rel in list_label_files(osp.join(src, IMAGES), '.jpg'):
        parts = rel.replace('\\', '/').split('/')
        if len(parts) == 3 and parts[1] == IMG_FOLDER:
            label = osp.join(parts[0], LABEL_FOLDER,
                             osp.splitext(parts[2])[0] + '.png')
            pairs.append(make_pair(src, out, rel, label))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('RELLIS-3D', __doc__, DEFAULT_OUT)
    parser.add_argument('--splits', nargs='+',
                        help='take the images of these split lists only')
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs = pairs_from_lists(args.src, args.out, args.splits) \
        if args.splits else pairs_from_images(args.src, args.out)
    return cli.run(NAME, tax, pairs, cli.validate_work(args, tax), args)


if __name__ == '__main__':
    cli.run_command(main)
