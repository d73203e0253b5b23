# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert RUGD's colour annotations to ids.

    python tools/dataset_converters/rugd.py SRC [--out data/rugd] \\
        [--nproc 8] [--force] [--images {symlink,copy}] [--unknown-as-ignore]

Native layout: ``RUGD_frames-with-annotations/<seq>/<seq>_<n>.png`` and the
colour labels ``RUGD_annotations/<seq>/<seq>_<n>.png`` with the colour map
``RUGD_annotations/RUGD_annotation-colormap.txt`` (lines ``id name r g b``;
without it the colours of ``ontology_maps/taxonomies/rugd.yaml`` are used).
Any folder level between the root and the files (e.g. split folders) is
kept. RUGD has no extra config; this writes a layout like the others, under
``--out``: ``images/<seq>/<seq>_<n>.png`` (a link) and
``labels/<seq>/<seq>_<n>.png`` (ids of ``taxonomies/rugd.yaml``).
"""
import os.path as osp

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import ConversionError, table_from_taxonomy
from mmseg_unify.utils.paths import ontology_file

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
    for number, line in cli.list_lines(path, 'colour map'):
        parts = line.split()
        try:
            cid, r, g, b = (int(v) for v in (parts[0], *parts[-3:]))
        except ValueError:
            raise ConversionError(f'{path}:{number}: expected "id name r g '
                                  f'b", got {line!r}') from None
        if (r, g, b) in table:
            raise ConversionError(f'{path}:{number}: colour {(r, g, b)} '
                                  f'repeats id {table[(r, g, b)]}')
        table[(r, g, b)] = cid
    return table


def colour_table(src: str, tax) -> dict:
    """The colour map of the download, else the taxonomy's colours."""
    path = osp.join(src, COLORMAP)
    if osp.isfile(path):
        print(f'{NAME}: colours from {path}')
        return read_colormap(path)
    print(f'{NAME}: no {path}; using the colours of {tax.path}')
    return table_from_taxonomy(tax)


def main(argv=None) -> dict:
    parser = cli.build_parser('RUGD', __doc__, DEFAULT_OUT, colours=True)
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    pairs = cli.mirrored_pairs(
        osp.join(args.src, FRAMES), '.png', osp.join(args.src, LABELS),
        '.png', osp.join(args.out, 'images'), osp.join(args.out, 'labels'))
    work = cli.colour_work(args, colour_table(args.src, tax), tax)
    return cli.run(NAME, tax, pairs, work, args)


if __name__ == '__main__':
    cli.run_command(main)
