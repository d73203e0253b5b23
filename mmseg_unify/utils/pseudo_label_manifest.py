# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``manifest.json`` of a pseudo-label folder, and what makes two runs the
same.

Every pseudo-label folder holds one manifest. Its *identity* fields say how
the labels were made; a run may add labels to a folder only if its identity
equals the manifest's, so one folder never holds labels of two teachers,
maps, preprocessings or augmentations:

* ``checkpoint_sha256``: the teacher's weights (the file's content, not
  its path);
* ``teacher_model``: the composed teacher model config, data preprocessor
  included (``init_cfg``/``pretrained`` left out: the checkpoint replaces
  those weights);
* ``ontology_sha256``; ``pseudo_label_model``: priors, void threshold,
  ignore index, resize route, number of classes;
* ``tta``: the test-time augmentation pipeline as run;
* ``dataset``: type, resolved image/label folders and suffixes;
* ``label_suffix``, ``label_dtype``.

``status`` is ``running`` while a run writes (it stays so if the process is
killed), ``interrupted`` after an exception, ``complete`` or ``incomplete``
when a run ends.
"""
import json
import os.path as osp
import time
import uuid
from typing import Any, Dict, List, Optional

from .label_io import sha256_file
from .tta_config import tta_summary

MANIFEST = 'manifest.json'
MANIFEST_VERSION = 2
IDENTITY_KEYS = ('checkpoint_sha256', 'teacher_model', 'ontology_sha256',
                 'pseudo_label_model', 'tta', 'dataset', 'label_suffix',
                 'label_dtype')
# Config keys that do not change a loaded model's predictions.
UNUSED_AFTER_LOADING = ('init_cfg', 'pretrained')


def plain(obj: Any, drop: tuple = ()) -> Any:
    """Config objects -> JSON-ready builtins (tuples become lists).

    Args:
        obj: A config value (``ConfigDict``, list, scalar, ...).
        drop (tuple[str]): Dict keys to leave out at any depth.

    Returns:
        A structure of dicts, lists, strings, numbers, booleans and None.
    """
    if isinstance(obj, dict):
        return {str(k): plain(v, drop) for k, v in obj.items()
                if k not in drop}
    if isinstance(obj, (list, tuple)):
        return [plain(v, drop) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def model_identity(model_cfg: dict) -> dict:
    """The part of a model config that decides its predictions."""
    return plain(model_cfg, UNUSED_AFTER_LOADING)


def run_identity(cfg, settings: dict, dataset, checkpoint: Optional[str],
                 label_suffix: str, dtype: str, images: int) -> dict:
    """The manifest of a run about to start: its identity fields and what
    else is worth recording.

    Args:
        cfg (Config): The runner's composed config (the pseudo-labelling
            model in ``model``, the teacher in ``model.module``).
        settings (dict): The pseudo-labelling model's ``settings()``.
        dataset: The dataset being labelled.
        checkpoint (str, optional): The teacher checkpoint.
        label_suffix (str): Label file suffix.
        dtype (str): Label file dtype name.
        images (int): Number of images of the dataset.

    Returns:
        dict: The manifest (``status`` is set when the folder is opened).
    """
    teacher = dict(cfg.model.get('module', cfg.model))
    # the config's top-level one is used where the teacher has none
    teacher['data_preprocessor'] = teacher.get('data_preprocessor') or \
        cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')
    ontology = settings.get('ontology')
    prefix = getattr(dataset, 'data_prefix', {})
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'pipeline', [])
    return dict(
        version=MANIFEST_VERSION,
        run_id=time.strftime('%Y%m%d-%H%M%S-') + uuid.uuid4().hex[:6],
        teacher_config=cfg.filename,
        checkpoint=checkpoint,
        checkpoint_sha256=sha256_file(checkpoint)
        if checkpoint and osp.isfile(checkpoint) else None,
        teacher_model=model_identity(teacher),
        ontology=ontology,
        ontology_sha256=sha256_file(ontology) if ontology else None,
        pseudo_label_model=plain(
            {k: v for k, v in settings.items() if k != 'ontology'}),
        tta=dict(tta_summary(pipeline), pipeline=plain(pipeline)),
        dataset=dict(
            type=type(dataset).__name__,
            folders={k: osp.realpath(v) for k, v in prefix.items()},
            img_suffix=getattr(dataset, 'img_suffix', None),
            seg_map_suffix=getattr(dataset, 'seg_map_suffix', None)),
        label_suffix=label_suffix,
        label_dtype=dtype,
        ignore_index=settings.get('ignore_index', 255),
        images=images)


def manifest_path(folder: str) -> str:
    """``folder/manifest.json``."""
    return osp.join(folder, MANIFEST)


def read_manifest(folder: str) -> Optional[dict]:
    """The manifest of a pseudo-label folder, ``None`` if it has none.

    Raises:
        ValueError: If the file is not valid JSON (names the file).
    """
    path = manifest_path(folder)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path} is not a valid manifest: {e}') from e


def _differences(old: Any, new: Any, where: str, out: List[str]) -> None:
    """Append ``'<key path>: <old> -> <new>'`` for every differing leaf."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _differences(old.get(key), new.get(key), f'{where}.{key}', out)
    elif isinstance(old, list) and isinstance(new, list) \
            and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _differences(a, b, f'{where}[{i}]', out)
    elif old != new:
        out.append(f'{where}: {_short(old)} -> {_short(new)}')


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def identity_differences(old: dict, new: dict) -> List[str]:
    """The identity fields in which two manifests differ, leaf by leaf.

    Args:
        old (dict): The manifest on disk.
        new (dict): The manifest of the run about to start.

    Returns:
        list[str]: ``'<field path>: <old value> -> <new value>'``; empty if
        the runs are the same.
    """
    out: List[str] = []
    for key in IDENTITY_KEYS:
        _differences(old.get(key), new.get(key), key, out)
    return out


def is_complete(folder: str, identity: Optional[Dict] = None) -> bool:
    """Whether ``folder`` holds every label of a finished run (of the given
    identity fields, if any).

    Args:
        folder (str): A pseudo-label folder.
        identity (dict, optional): Identity fields that must match.

    Returns:
        bool: The manifest's status is ``complete`` and the fields match.
    """
    manifest = read_manifest(folder)
    if manifest is None or manifest.get('status') != 'complete':
        return False
    return all(manifest.get(k) == v for k, v in (identity or {}).items())
