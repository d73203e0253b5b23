# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Score pseudo-label folders against a finer ground truth (mIoU table).

    python tools/pseudo_label_quality.py --gt GT_DIR \\
        PRED_DIR[=NAME] [PRED_DIR[=NAME] ...] \\
        [--taxonomy SOURCE_TAXONOMY.yaml | --num-classes N] [--json OUT]

    # demo: with and without priors against the hidden fine truth
    python tools/pseudo_label_quality.py \\
        --gt data/demo/demo_coarse/ann_fine_dir/train \\
        work_dirs/pl/demo_coarse=priors \\
        work_dirs/pl/demo_coarse_no_priors=no-priors

Class names and count come from ``--taxonomy`` or, if not given, from the
ontology map recorded in the first folder's ``manifest.json``.
"""
import argparse
import json
import os.path as osp
import sys

from mmseg_unify.evaluation.pseudo_label_quality import (format_quality_table,
                                                         pseudo_label_quality)
from mmseg_unify.ontology import Ontology, load_taxonomy


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='mIoU of pseudo-labels against a fine ground truth')
    parser.add_argument(
        'preds',
        nargs='+',
        help='pseudo-label folders, each optionally FOLDER=COLUMN_NAME')
    parser.add_argument('--gt', required=True, help='ground-truth folder')
    parser.add_argument('--taxonomy', help='source taxonomy file')
    parser.add_argument('--num-classes', type=int, help='number of classes')
    parser.add_argument('--ignore-index', type=int, default=255)
    parser.add_argument('--gt-ignore-index', type=int, default=255)
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument(
        '--progress', action='store_true', default=None,
        help='show progress bars (default: when stdout is a terminal)')
    parser.add_argument(
        '--no-progress', dest='progress', action='store_false',
        help='no progress bars')
    args = parser.parse_args(argv)
    if args.progress is None:
        args.progress = sys.stdout.isatty()
    return args


def class_names(args, first_dir: str):
    """Source class names from --taxonomy or the folder's manifest."""
    if args.taxonomy:
        taxonomy = load_taxonomy(args.taxonomy)
        return [c.name for c in taxonomy.classes]
    manifest = osp.join(first_dir, 'manifest.json')
    if osp.isfile(manifest):
        with open(manifest) as f:
            ontology = json.load(f).get('ontology')
        if ontology:
            return list(Ontology.from_file(ontology, warn=False).source.names)
    if args.num_classes:
        return [str(i) for i in range(args.num_classes)]
    raise SystemExit('give --taxonomy or --num-classes (no manifest with an '
                     f'ontology map in {first_dir})')


def main(argv=None):
    args = parse_args(argv)
    columns = {}
    for item in args.preds:
        folder, _, name = item.partition('=')
        columns[name or osp.basename(osp.normpath(folder))] = folder
    names = class_names(args, next(iter(columns.values())))
    results = {
        name: pseudo_label_quality(
            folder,
            args.gt,
            num_classes=len(names),
            class_names=names,
            ignore_index=args.ignore_index,
            gt_ignore_index=args.gt_ignore_index,
            progress=args.progress)
        for name, folder in columns.items()
    }
    print(f'Pseudo-label IoU (%) against {args.gt}: labelled pixels / '
          'unlabelled pixels counted as misses')
    print(format_quality_table(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == '__main__':
    main()
