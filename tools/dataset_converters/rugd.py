# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert RUGD's colour annotations to ids.

Native layout: ``RUGD_frames-with-annotations/<seq>/<seq>_<n>.png`` and the
colour labels ``RUGD_annotations/<seq>/<seq>_<n>.png`` with the colour map
``RUGD_annotations/RUGD_annotation-colormap.txt`` (lines ``id name r g b``;
without it the colours of ``ontology_maps/taxonomies/rugd.yaml`` are used).
Any folder level between the root and the files (e.g. split folders) is
kept. RUGD has no extra config; this writes a layout like the others, under
``--out``: ``images/<seq>/<seq>_<n>.png`` (a link) and
``labels/<seq>/<seq>_<n>.png`` (ids of ``taxonomies/rugd.yaml``)::

    python tools/dataset_converters/rugd.py data/downloads/rugd --nproc 8
"""
import os.path as osp
import sys

from mmseg_unify.utils.conversion import ConversionError

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import _converter_cli as cli  # noqa: E402
import _label_conversion as lc  # noqa: E402

NAME = 'rugd'
TAXONOMY = 'rugd'
DEFAULT_OUT = 'data/rugd'
FRAMES = 'RUGD_frames-with-annotations'
LABELS = 'RUGD_annotations'
COLORMAP = osp.join(LABELS, 'RUGD_annotation-colormap.txt')


def read_colormap(path: str) -> dict:
    """``(r, g, b) -> id`` from RUGD's colour map file.

    Raises:
        ConversionError: A malformed line or a repeated colour (names the
            file and line).
    """
    table = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            try:
                cid, r, g, b = (int(v) for v in (parts[0], *parts[-3:]))
            except ValueError:
                raise ConversionError(
                    f'{path}:{number}: expected "id name r g b", got '
                    f'{line.strip()!r}') from None
            if (r, g, b) in table:
                raise ConversionError(
                    f'{path}:{number}: colour {(r, g, b)} repeats id '
                    f'{table[(r, g, b)]}')
            table[(r, g, b)] = cid
    return table


def colour_table(src: str, tax) -> dict:
    """The colour map of the download, else the taxonomy's colours."""
    path = osp.join(src, COLORMAP)
    if osp.isfile(path):
        print(f'{NAME}: colours from {path}')
        return read_colormap(path)
    print(f'{NAME}: no {path}; using the colours of {tax.path}')
    return lc.table_from_taxonomy(tax)


def list_pairs(src: str, out: str) -> list:
    """Label/image pairs and their outputs (mirrored relative paths).

    Args:
        src (str): RUGD root (``RUGD_frames-with-annotations``,
            ``RUGD_annotations``).
        out (str): Output root.
    """
    return cli.mirrored_pairs(osp.join(src, FRAMES), '.png',
                              osp.join(src, LABELS), '.png',
                              osp.join(out, 'images'), osp.join(out, 'labels'))


def main(argv=None) -> dict:
    parser = cli.build_parser('RUGD', __doc__, DEFAULT_OUT, colours=True)
    args = parser.parse_args(argv)
    tax = lc.taxonomy(TAXONOMY)
    work = lc.colour_work(args, colour_table(args.src, tax), tax)
    return cli.run(NAME, tax, list_pairs(args.src, args.out), work, args.src,
                   args.out, args.nproc)


if __name__ == '__main__':
    cli.run_command(main)
