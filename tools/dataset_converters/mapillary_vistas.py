# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate Mapillary Vistas v1.2 labels in place (nothing is converted).

    python tools/dataset_converters/mapillary_vistas.py SRC [--out DIR] \\
        [--splits training validation] [--version v1.2] [--nproc 8]

Mapillary Vistas' label PNGs are palette images whose palette *index* is
the class id (``taxonomies/mapillary_vistas.yaml``: 0 animal--bird .. 65
void--unlabeled); they are read with PIL, as MMSeg's ``LoadAnnotations``
(pillow backend) reads them (OpenCV would expand the palette to colours).
The layout ``configs/unify/datasets/mapillary_vistas_extra.py`` reads, as
released::

    SRC/<split>/images/<name>.jpg
    SRC/<split>/v1.2/labels/<name>.png

Every image of a split must have its label, of the same size, with ids of
the taxonomy. The summary goes to ``--out`` (default
``work_dirs/dataset_checks``).
"""
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'mapillary_vistas'
TAXONOMY = 'mapillary_vistas'
VERSION = 'v1.2'


def list_pairs(args) -> list:
    """Image/label pairs of ``--splits`` (default: every split with a
    ``<version>/labels`` folder; the test split has none)."""
    return cli.split_pairs(args.src, args.splits, '{split}/images', '.jpg',
                           f'{{split}}/{args.version}/labels', '.png')


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('Mapillary Vistas', __doc__,
                              'work_dirs/dataset_checks', writes=False,
                              links=False, splits='every labelled one')
    parser.add_argument('--version', default=VERSION,
                        help='label version folder; default: %(default)s')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.validate_work, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
