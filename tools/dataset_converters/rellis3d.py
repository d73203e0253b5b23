# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate RELLIS-3D's id labels and link them into one layout.

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
takes the images of ``train.lst`` only::

    python tools/dataset_converters/rellis3d.py data/downloads/rellis3d \\
        --nproc 8
"""
import os.path as osp
import sys
from functools import partial

from mmseg_unify.utils.conversion import ConversionError

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'rellis3d'
TAXONOMY = 'rellis3d'
DEFAULT_OUT = 'data/rellis3d'
IMAGES = osp.join('Rellis_3D_pylon_camera_node', 'Rellis-3D')
LABELS = osp.join('Rellis_3D_pylon_camera_node_label_id', 'Rellis-3D')
SPLITS = 'Rellis_3D_image_split'
IMG_FOLDER, LABEL_FOLDER = 'pylon_camera_node', 'pylon_camera_node_label_id'


def make_pair(src: str, out: str, image_rel: str, label_rel: str) -> lc.Pair:
    """The pair of one image (relative to :data:`IMAGES`) and its label
    (relative to :data:`LABELS`); outputs under ``<seq>/<f>``."""
    seq = image_rel.replace('\\', '/').split('/')[0]
    stem = osp.splitext(osp.basename(image_rel))[0]
    return lc.Pair(label=osp.join(src, LABELS, label_rel),
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
        if not osp.isfile(path):
            raise ConversionError(f'split list {path} does not exist')
        with open(path) as f:
            for number, line in enumerate(f, 1):
                parts = line.split()
                if len(parts) != 2:
                    if parts:
                        raise ConversionError(
                            f'{path}:{number}: expected "<image> <label>", '
                            f'got {line.strip()!r}')
                    continue
                pairs.append(make_pair(src, out, *parts))
    return pairs


def pairs_from_images(src: str, out: str) -> list:
    """A pair for every ``<seq>/pylon_camera_node/<f>.jpg``."""
    pairs = []
    for rel in cli.find_files(osp.join(src, IMAGES), '.jpg'):
        parts = rel.replace('\\', '/').split('/')
        if len(parts) == 3 and parts[1] == IMG_FOLDER:
            label = osp.join(parts[0], LABEL_FOLDER,
                             osp.splitext(parts[2])[0] + '.png')
            pairs.append(make_pair(src, out, rel, label))
    return pairs


def main(argv=None) -> dict:
    parser = cli.build_parser('RELLIS-3D', __doc__, DEFAULT_OUT)
    parser.add_argument('--splits',
                        nargs='+',
                        help='take the images of these split lists only')
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    pairs = pairs_from_lists(args.src, args.out, args.splits) \
        if args.splits else pairs_from_images(args.src, args.out)
    work = partial(lc.validate_pair,
                   tax=tax,
                   mode=args.images,
                   force=args.force)
    return cli.run(NAME, tax, pairs, work, args.src, args.out, args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
