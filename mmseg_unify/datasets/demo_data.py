# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Generate the built-in demo data in MMSeg's directory layout.

Three datasets share one scene generator (:mod:`.demo_scenes`):

* ``demo_urban``: the source dataset, labelled in the fine 12-class
  ``demo_urban`` taxonomy (train ids 0..11).
* ``demo_coarse`` and ``demo_split``: extra datasets whose ``ann_dir`` holds
  raw ids of their own taxonomy (``ontology_maps/taxonomies``), plus the
  hidden fine ground truth in ``ann_fine_dir`` (``demo_urban`` train ids), so
  pseudo-label quality can be measured exactly.

Layout under ``root``::

    demo_urban/{img_dir,ann_dir}/{train,val}/000000.png
    demo_coarse/{img_dir,ann_dir,ann_fine_dir}/{train,val}/000000.png
    demo_split/{img_dir,ann_dir,ann_fine_dir}/{train,val}/000000.png
    meta.json

Each dataset is written to a temporary folder and renamed into place, so
concurrent first uses (several ranks) and interrupted runs never leave a
half-written dataset behind.
"""
import json
import os
import os.path as osp
import shutil
import tempfile
from typing import Dict, Optional

import cv2
import numpy as np

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.paths import ontology_file
from .demo_scenes import PART_TO_CLASS, PARTS, SceneStyle, render_scene

GENERATOR_VERSION = 1
SOURCE = 'demo_urban'
EXTRAS = ('demo_coarse', 'demo_split')

STYLES: Dict[str, SceneStyle] = {
    'demo_urban': SceneStyle(),
    'demo_coarse': SceneStyle(cobble_prob=0.1, brightness=(0.45, 1.1),
                              vehicles=(2, 6)),
    'demo_split': SceneStyle(walls=False, buses=False, cobble_prob=0.5,
                             trees=(2, 6), brightness=(0.8, 1.4)),
}

DEFAULT_COUNTS: Dict[str, Dict[str, int]] = {
    'demo_urban': dict(train=300, val=100),
    'demo_coarse': dict(train=200, val=50),
    'demo_split': dict(train=200, val=50),
}


def part_lut(taxonomy_name: str) -> np.ndarray:
    """Look-up table part index -> label id of a demo taxonomy.

    Args:
        taxonomy_name (str): One of the keys of ``PART_TO_CLASS``.

    Returns:
        np.ndarray: ``uint8`` array of length ``len(PARTS)``.
    """
    taxonomy = load_taxonomy(
        ontology_file(f'taxonomies/{taxonomy_name}.yaml'))
    names = PART_TO_CLASS[taxonomy_name]
    return np.array([taxonomy.by_name(names[p]).id for p in PARTS], np.uint8)


def _scene_rng(seed: int, dataset: str, split: str, index: int):
    """An independent generator for every (seed, dataset, split, image)."""
    keys = [seed, sorted(STYLES).index(dataset), ('train', 'val').index(split),
            index]
    return np.random.default_rng(np.random.SeedSequence(keys))


def _write_dataset(out: str, dataset: str, counts: Dict[str, int], seed: int,
                   size) -> None:
    """Render and write every image of one dataset into ``out``."""
    own_lut = part_lut(dataset)
    fine_lut = part_lut(SOURCE) if dataset != SOURCE else None
    for split, num in counts.items():
        dirs = ['img_dir', 'ann_dir'] + (['ann_fine_dir'] if fine_lut
                                         is not None else [])
        for d in dirs:
            os.makedirs(osp.join(out, d, split), exist_ok=True)
        for i in range(num):
            rng = _scene_rng(seed, dataset, split, i)
            img, part = render_scene(rng, size[0], size[1], STYLES[dataset])
            name = f'{i:06d}.png'
            cv2.imwrite(osp.join(out, 'img_dir', split, name), img[..., ::-1])
            cv2.imwrite(osp.join(out, 'ann_dir', split, name), own_lut[part])
            if fine_lut is not None:
                cv2.imwrite(osp.join(out, 'ann_fine_dir', split, name),
                            fine_lut[part])


def _meta(seed: int, size, counts) -> dict:
    return dict(version=GENERATOR_VERSION, seed=seed, size=list(size),
                counts=counts)


def generate_demo_data(root: str,
                       seed: int = 0,
                       size=(128, 256),
                       counts: Optional[Dict[str, Dict[str, int]]] = None,
                       force: bool = False,
                       progress: bool = False) -> str:
    """Generate the demo datasets under ``root`` unless already there.

    Args:
        root (str): Output folder.
        seed (int): Seed of every scene. Same seed, same bytes.
        size (tuple[int, int]): Image (height, width).
        counts (dict, optional): Images per dataset and split; defaults to
            ``DEFAULT_COUNTS``.
        force (bool): Regenerate even if ``root`` holds matching data.
        progress (bool): Print one line per dataset as it is written.

    Returns:
        str: ``root``.
    """
    counts = counts or DEFAULT_COUNTS
    meta = _meta(seed, size, counts)
    meta_file = osp.join(root, 'meta.json')
    if not force and osp.isfile(meta_file):
        with open(meta_file) as f:
            if json.load(f) == meta:
                return root
    if osp.isdir(root):
        shutil.rmtree(root, ignore_errors=True)
    os.makedirs(osp.dirname(osp.abspath(root)), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.demo-tmp-', dir=osp.dirname(
        osp.abspath(root)))
    try:
        datasets = (SOURCE, ) + EXTRAS
        for i, dataset in enumerate(datasets, 1):
            if progress:
                print(f'[{i}/{len(datasets)}] {dataset}: '
                      f'{sum(counts[dataset].values())} images '
                      f'{size[0]}x{size[1]}', flush=True)
            _write_dataset(osp.join(tmp, dataset), dataset, counts[dataset],
                           seed, size)
        with open(osp.join(tmp, 'meta.json'), 'w') as f:
            json.dump(meta, f, indent=2)
        os.rename(tmp, root)
    except OSError:
        # Another process finished first: its data is identical.
        if not osp.isfile(meta_file):
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def ensure_demo_data(data_root: str) -> None:
    """Generate the demo data if ``data_root`` (one dataset folder) is missing.

    Args:
        data_root (str): A dataset folder such as ``data/demo/demo_urban``.
    """
    root = osp.dirname(osp.normpath(data_root))
    if not osp.isfile(osp.join(root, 'meta.json')):
        generate_demo_data(root)
