# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Convert the data-priors CSV tables into our taxonomy and map YAML files.

    python tools/convert_data_priors.py [--priors DIR] [--out DIR] [--check]

Defaults: the package's own ``ontology_maps/data-priors`` tables and its
``ontology_maps`` folder (the checkout's, for a source or editable install),
whatever the working directory.

Writes, for every ``<dataset>/lists/`` folder of the tables:

* ``taxonomies/<extra>.yaml``: the dataset's classes from ``labels.csv``
  (raw ``id`` column);
* ``maps/<extra>_to_<target>.yaml`` for every ``master_labels_<target>.csv``
  with ``<target>`` in cityscapes, mapillary, offroad, coco (the older
  ``master_labels.csv``, ``*_old.csv`` and ``*_test.csv`` are skipped);
* ``taxonomies/<target>.yaml``: the target (source) taxonomies, ids 0..C-1.

``--check`` writes nothing and exits 1 if a committed file differs from what
the tables give (run it after editing a table). The reading rules for
irregular tables are those of :mod:`mmseg_unify.ontology.data_priors`; the
warnings they raise are copied into the generated files as comments.

Named corrections (``data_priors.CORRECTIONS``, each a ``Note:`` in the
files it changes): ``camvid-id3-bridge``: CamVid raw id 3 is ``Bridge``
(``class_dict.csv`` row 3, numbered by row as ``prepare_camvid.py`` and
our converter do), not a second ``Bicyclist`` as ``labels.csv`` says; the
``Bridge`` cell of ``master_labels_cityscapes.csv`` then applies (void),
and ``master_labels_mapillary.csv``'s ``construction--structure--bridge``
row, which lists ``Bicyclist``, is read as listing ``Bridge``.
``coco-void-may-stay-void``: the ``255`` row of COCO's
``master_labels_cityscapes.csv`` gets ``void``, as its other three tables
have it, so an unlabelled COCO pixel (raw 255) may stay unlabelled instead
of being forced to one of the row's six classes.
"""
import argparse
import csv
import glob
import json
import os
import os.path as osp
import re
import sys
import textwrap
import warnings
from typing import Dict, List, Tuple

from mmseg_unify.ontology import VOID, Taxonomy, TaxonomyClass
from mmseg_unify.ontology.data_priors import (CORRECTIONS, load_data_priors,
                                              read_labels_csv, table_warnings)
from mmseg_unify.ontology.yaml_io import dump_map, dump_taxonomy
from mmseg_unify.utils.paths import package_data_dir

TARGETS = ('cityscapes', 'mapillary', 'offroad', 'coco')
#: data-priors folder -> extra taxonomy name (clashes with targets renamed)
EXTRA_NAMES = {
    'ApolloScape': 'apolloscape', 'BDD': 'bdd', 'CamVid': 'camvid',
    'IDD': 'idd', 'KITTI': 'kitti', 'WildScenes': 'wildscenes',
    'a2d2': 'a2d2', 'cityscapes': 'cityscapes_labelids',
    'coco': 'coco_panoptic', 'freiburg-forest': 'freiburg_forest',
    'god': 'god', 'goose2d': 'goose2d', 'mapillary-vistas':
    'mapillary_vistas', 'nuimages': 'nuimages', 'rellis-3d': 'rellis3d',
    'road_lane_segmentation': 'road_lane_segmentation', 'rugd': 'rugd',
    'tas500': 'tas500', 'waymo': 'waymo', 'wilddash': 'wilddash',
    'yamaha': 'yamaha'
}
#: where target taxonomies take their colours from (by class name)
TARGET_COLORS = {'cityscapes': 'cityscapes'}
LICENSE = ('Converted from the data-priors tables (BSD-3-Clause, see '
           'ontology_maps/data-priors/LICENSE)\nby tools/convert_data_priors'
           '.py; regenerate rather than edit by hand.')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    maps = str(package_data_dir('ontology_maps'))
    parser.add_argument('--priors', default=osp.join(maps, 'data-priors'),
                        help='folder with <dataset>/lists/*.csv')
    parser.add_argument('--out', default=maps,
                        help='writes <out>/taxonomies and <out>/maps')
    parser.add_argument('--check', action='store_true',
                        help='compare with the files in --out, write nothing')
    return parser.parse_args(argv)


def _relative(messages: List[str], root: str) -> List[str]:
    """Warning messages with paths relative to the tables' folder."""
    prefix = osp.abspath(root) + os.sep
    return [m.replace(prefix, '').replace(root + os.sep, '')
            for m in messages]


def _notes(messages: List[str]) -> str:
    """``Note:`` lines for a header comment, wrapped at 76 columns."""
    lines = []
    for message in messages:
        lines += textwrap.wrap(f'Note: {message}', 76,
                               subsequent_indent='  ', break_long_words=False,
                               break_on_hyphens=False)
    return ''.join(f'\n{line}' for line in lines)


def _recorded(func, *args):
    """``func(*args)`` and the warnings it raised, as messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = func(*args)
    return result, [str(w.message) for w in caught]


def _hex(value: str) -> Tuple[int, int, int]:
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def extra_colors(lists: str) -> Dict[str, Tuple[int, int, int]]:
    """Colours by lower-case class name from ``class_dict.csv`` (CamVid) or
    ``class_list.json`` (A2D2: ``"Car 1".."Car 4"`` -> ``car``)."""
    colors = {}
    if osp.isfile(osp.join(lists, 'class_dict.csv')):
        with open(osp.join(lists, 'class_dict.csv'), newline='') as f:
            for row in list(csv.reader(f))[1:]:
                colors[row[0].strip().lower()] = tuple(
                    int(v) for v in row[1:4])
    if osp.isfile(osp.join(lists, 'class_list.json')):
        with open(osp.join(lists, 'class_list.json')) as f:
            for value, name in json.load(f).items():
                key = re.sub(r' \d+$', '', name).strip().lower()
                colors.setdefault(key, _hex(value))
    return colors


def _recolor(taxonomy: Taxonomy, colors: Dict[str, tuple]) -> Taxonomy:
    """The taxonomy with colours taken from ``colors`` where named."""
    classes = tuple(
        TaxonomyClass(c.id, c.name, colors.get(c.name.lower(), c.color),
                      c.void) for c in taxonomy.classes)
    return Taxonomy(taxonomy.name, classes, taxonomy.ignore_index)


def extra_taxonomy(priors: str, folder: str) -> Tuple[Taxonomy, List[str]]:
    """The extra taxonomy of a data-priors folder and its warnings."""
    lists = osp.join(priors, folder, 'lists')
    labels, messages = _recorded(read_labels_csv,
                                 osp.join(lists, 'labels.csv'),
                                 EXTRA_NAMES[folder],
                                 CORRECTIONS.get(folder, ()))
    return _recolor(labels.taxonomy, extra_colors(lists)), messages


def extra_comment(folder: str, taxonomy: Taxonomy,
                  messages: List[str]) -> str:
    """Header comment of an extra taxonomy file."""
    text = (f'Classes of {folder} as its label files store them (raw ids, '
            f'from data-priors {folder}/lists/labels.csv).\n'
            f'id {taxonomy.ignore_index} counts as void unless a class '
            'uses it.\n' + LICENSE)
    if folder == 'a2d2':
        text += ('\nA2D2 ships RGB colour-coded label images: convert them '
                 'to these ids first\n(class_list.json gives the colours; '
                 '"Car 1".."Car 4" are all car, etc.).')
    return text + _notes(messages)


def convert_map(priors: str, folder: str, target: str):
    """Map text for one table, its source taxonomy and extra ids."""
    (labels, table), messages = _recorded(
        load_data_priors, osp.join(priors, folder), target,
        CORRECTIONS.get(folder, ()))
    # labels listed in no row are marked on their own line instead
    messages += [m for m in table_warnings(table, labels.taxonomy)
                 if 'listed in no row' not in m]
    source = table.source
    entries = []
    for cls in labels.taxonomy.classes:
        names = [source.classes[i].name for i in sorted(table.allowed[cls.id])]
        if cls.id in table.void_ids:
            names.append(VOID)
        note = None if names else 'listed in no row: void'
        entries.append((cls.name, names, note))
    comment = (f'{folder} -> {target}: which {target} classes a pixel may '
               f'take given its {folder} label;\n"void": it may also stay '
               f'unlabelled, []: always unlabelled.\nTable: data-priors '
               f'{folder}/lists/master_labels_{target}.csv.\n' + LICENSE)
    comment += _notes(_relative(messages, priors))
    text = dump_map(EXTRA_NAMES[folder], target, entries,
                    dict(dataset=folder, taxonomy=target), comment)
    return text, source


def target_taxonomy(priors: str, source: Taxonomy) -> Taxonomy:
    """A target taxonomy with colours where a dataset's labels have them."""
    folder = TARGET_COLORS.get(source.name)
    if folder is None:
        return Taxonomy(source.name, source.classes, 255)
    labels, _ = _recorded(read_labels_csv,
                          osp.join(priors, folder, 'lists', 'labels.csv'),
                          folder)
    colors = {c.name.lower(): c.color for c in labels.taxonomy.classes}
    return _recolor(source, colors)


def target_comment(name: str, size: int) -> str:
    return (f'Target (source) taxonomy {name!r} of the data-priors tables: '
            f'{size} classes, ids 0..{size - 1}\n(the train ids a model '
            f'predicts), from the rows of master_labels_{name}.csv.\n'
            + LICENSE)


def convert_all(priors: str) -> Dict[str, str]:
    """Every generated file: relative path -> text.

    Raises:
        ValueError: If two tables disagree on a target taxonomy's classes.
    """
    files, targets = {}, {}
    for lists in sorted(glob.glob(osp.join(priors, '*', 'lists'))):
        folder = osp.basename(osp.dirname(lists))
        extra, messages = extra_taxonomy(priors, folder)
        files[f'taxonomies/{extra.name}.yaml'] = dump_taxonomy(
            extra, extra_comment(folder, extra, _relative(messages, priors)))
        for target in TARGETS:
            if not osp.isfile(osp.join(lists, f'master_labels_{target}.csv')):
                continue
            text, source = convert_map(priors, folder, target)
            files[f'maps/{extra.name}_to_{target}.yaml'] = text
            known = targets.setdefault(target, source)
            if known.names != source.names:
                raise ValueError(f'{folder}: master_labels_{target}.csv has '
                                 f'other target classes than {known.path}')
    for name, source in targets.items():
        files[f'taxonomies/{name}.yaml'] = dump_taxonomy(
            target_taxonomy(priors, source),
            target_comment(name, len(source.classes)))
    return files


def main(argv=None) -> int:
    args = parse_args(argv)
    files = convert_all(args.priors)
    stale = []
    for rel, text in sorted(files.items()):
        path = osp.join(args.out, rel)
        current = open(path, encoding='utf-8').read() \
            if osp.isfile(path) else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
    verb = 'differ from the tables' if args.check else 'written'
    print(f'{len(files)} files, {len(stale)} {verb}: {stale}')
    return 1 if args.check and stale else 0


if __name__ == '__main__':
    sys.exit(main())
