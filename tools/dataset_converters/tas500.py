# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Validate TAS500's id labels in place.

    python tools/dataset_converters/tas500.py SRC [--out DIR] [--nproc 8] \\
        [--splits train val]

TAS500 ships raw-id PNGs in the layout ``configs/unify/datasets/
tas500_extra.py`` reads, so nothing is converted: every image
``<split>/<name>.png`` must have ``<split>_labels_ids/<name>.png`` of the
same size whose ids are classes of ``ontology_maps/taxonomies/tas500.yaml``
(0..22, and 255, which is the class *puddle* here, not void). The summary
goes to ``--out`` (default ``work_dirs/dataset_checks``).
"""
from functools import partial

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.paths import ontology_file

NAME = 'tas500'
TAXONOMY = 'tas500'


def list_pairs(args) -> list:
    """Image/label pairs of ``--splits`` (default: every ``<split>`` with a
    ``<split>_labels_ids`` folder)."""
    return cli.split_pairs(args.src, args.splits, '{split}', '.png',
                           '{split}_labels_ids', '.png')


def main(argv=None) -> dict:
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    parser = cli.build_parser('TAS500', __doc__, 'work_dirs/dataset_checks',
                              writes=False, links=False,
                              splits='every labelled one')
    return cli.command(argv, parser, NAME, tax, list_pairs,
                       partial(cli.validate_work, tax=tax))


if __name__ == '__main__':
    cli.run_command(main)
