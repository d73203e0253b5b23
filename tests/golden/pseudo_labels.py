# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The golden pseudo-labelling run: demo extras, a seeded teacher, full TTA.

    python tests/golden/pseudo_labels.py OUT_JSON   # record (maintainers)

``tests/test_pseudo_label_golden.py`` runs :func:`make` and compares every
label file's sha256 with ``pseudo_labels.json``, which was recorded with
this script on main at 3b0301a (before the pseudo-labelling restructure).
Only a fix that is meant to change pseudo-labels may re-record it.

The teacher is the demo FCN, seeded, with its classifier scaled by
``SHARPEN`` so its predictions are confident enough to exercise every pixel
rule (determined, teacher decides, void threshold, no source class).
"""
import json
import os
import os.path as osp
import subprocess
import sys

import torch

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
EXTRAS = {
    'demo_coarse': 'configs/unify/datasets/demo_coarse_extra.py',
    'demo_split': 'configs/unify/datasets/demo_split_extra.py',
}
COUNTS = dict(
    demo_urban=dict(train=1, val=1),
    demo_coarse=dict(train=4, val=1),
    demo_split=dict(train=4, val=1))
SCALES = ['0.5', '0.75', '1', '1.25', '1.5', '1.75', '2']
SHARPEN = 20.0


def make_teacher(path: str) -> str:
    """Save the seeded, sharpened demo teacher to ``path``."""
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import mmseg_unify  # noqa: F401
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(osp.join(ROOT, TEACHER)).model)
    state = model.state_dict()
    for key in ('decode_head.conv_seg.weight', 'decode_head.conv_seg.bias'):
        state[key] = state[key] * SHARPEN
    torch.save({'state_dict': state, 'meta': {}}, path)
    return path


def run_tool(ckpt: str, extra: str, data: str, out: str, work: str,
             priors: bool) -> None:
    """``tools/pseudo_label.py`` in a single-threaded subprocess."""
    cmd = [
        sys.executable, 'tools/pseudo_label.py', TEACHER, ckpt, '--extra',
        EXTRAS[extra], '--out', out, '--work-dir', work, '--num-workers',
        '0', '--scales', *SCALES, '--cfg-options',
        f'test_dataloader.dataset.data_root={osp.join(data, extra)}'
    ]
    if not priors:
        cmd.append('--no-priors')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])


def label_digests(folder: str) -> dict:
    """``{relative path: sha256}`` of the label PNGs under ``folder``."""
    import hashlib
    found = {}
    for root, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith('.png'):
                path = osp.join(root, name)
                with open(path, 'rb') as f:
                    found[osp.relpath(path, folder)] = hashlib.sha256(
                        f.read()).hexdigest()
    return found


def make(base: str) -> dict:
    """Run the golden pseudo-labelling under ``base``.

    Args:
        base (str): An empty folder (data, checkpoint and labels go there).

    Returns:
        dict: ``{'<extra>/<priors|no-priors>': {file: sha256}}``.
    """
    from mmseg_unify.datasets.demo_data import generate_demo_data
    data = generate_demo_data(osp.join(base, 'demo'), seed=0, counts=COUNTS)
    ckpt = make_teacher(osp.join(base, 'teacher.pth'))
    digests = {}
    for extra in EXTRAS:
        for priors in (True, False):
            key = f'{extra}/{"priors" if priors else "no-priors"}'
            out = osp.join(base, 'labels', key)
            run_tool(ckpt, extra, data, out, osp.join(base, 'work', key),
                     priors)
            digests[key] = label_digests(out)
    return digests


def class_counts(labels_root: str) -> dict:
    """``{'<extra>/<variant>': {label value: pixels}}`` of a :func:`make`
    run (to see that the golden labels exercise every rule)."""
    import numpy as np

    from mmseg_unify.utils.label_io import list_label_files, read_label
    found = {}
    for extra in EXTRAS:
        for variant in ('priors', 'no-priors'):
            folder = osp.join(labels_root, extra, variant)
            total: dict = {}
            for rel in list_label_files(folder):
                values, counts = np.unique(
                    read_label(osp.join(folder, rel)), return_counts=True)
                for v, c in zip(values.tolist(), counts.tolist()):
                    total[v] = total.get(v, 0) + c
            found[f'{extra}/{variant}'] = total
    return found


if __name__ == '__main__':
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        result = make(tmp)
    with open(sys.argv[1], 'w') as f:
        json.dump(result, f, indent=1, sort_keys=True)
    print(json.dumps({k: len(v) for k, v in result.items()}))
