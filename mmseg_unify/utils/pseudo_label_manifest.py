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
import os
import os.path as osp
import shutil
from typing import Any, Dict, List, Optional, Sequence

from .label_io import list_label_files, remove_temporaries, write_json_atomic

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


# ------------------------------------------------- opening a label folder
REPLACED = '.replaced-'


class PseudoLabelFolderError(RuntimeError):
    """A pseudo-label folder cannot be used for this run."""


def _aside_name(folder: str, run_id: str) -> str:
    parent, name = osp.split(osp.normpath(folder))
    return osp.join(parent, f'.{name}{REPLACED}{run_id}')


def _remove_replaced(folder: str) -> None:
    """Delete what an earlier ``--no-resume`` moved aside next to
    ``folder`` (it was killed before it could)."""
    parent, name = osp.split(osp.normpath(folder))
    prefix = f'.{name}{REPLACED}'
    for entry in os.listdir(parent or '.'):
        if entry.startswith(prefix):
            shutil.rmtree(osp.join(parent, entry), ignore_errors=True)


def _move_aside(folders: Sequence[str], run_id: str) -> List[str]:
    """Rename every existing folder to a hidden sibling, then delete it.

    The rename is atomic: from then on ``folder`` holds nothing of the old
    run, even if this process is killed before the deletion (a later run
    deletes the sibling).
    """
    moved = []
    for folder in folders:
        if osp.isdir(folder):
            aside = _aside_name(folder, run_id)
            os.replace(folder, aside)
            moved.append(folder)
            shutil.rmtree(aside, ignore_errors=True)
    return moved


def _refusal(folder: str, message: str) -> PseudoLabelFolderError:
    return PseudoLabelFolderError(f'{folder}: {message}')


def open_label_folder(folder: str,
                      manifest: dict,
                      resume: bool,
                      label_suffix: str = '.png',
                      derived: Sequence[str] = ()) -> dict:
    """Make ``folder`` ready for a run and write its ``running`` manifest.

    * leftover temporaries and folders moved aside by a killed run are
      deleted;
    * a folder without a manifest must hold no label files (it is not ours:
      refused whatever ``resume`` says);
    * ``resume`` with an equal identity continues the folder (its runs are
      kept); a different identity is refused, naming each field, unless the
      folder holds no labels yet;
    * ``resume=False`` moves the folder and its ``derived`` folders (colour
      copies, panels) aside atomically and deletes them, so a later restart
      can never see labels of the old run next to the new ones.

    Args:
        folder (str): The pseudo-label folder.
        manifest (dict): The new run's manifest (identity fields, ``run_id``).
        resume (bool): Continue an equal run instead of replacing it.
        label_suffix (str): Suffix of the label files.
        derived (Sequence[str]): Folders made from these labels.

    Returns:
        dict: The manifest as written (with ``runs`` of earlier runs).

    Raises:
        PseudoLabelFolderError: Naming the folder, the fields and the flag.
    """
    for path in (folder, *derived):
        if osp.isdir(path):
            _remove_replaced(path)
            remove_temporaries(path)
    old = read_manifest(folder)
    labels = list_label_files(folder, label_suffix) if osp.isdir(folder) \
        else []
    if old is None and labels:
        raise _refusal(
            folder, f'holds {len(labels)} *{label_suffix} files but no '
            f'{MANIFEST}, so they were not written by this tool; choose '
            'another --out (or move those files away yourself).')
    manifest = dict(manifest, runs=[])
    if old is not None and resume and labels:
        diff = identity_differences(old, manifest)
        if diff:
            raise _refusal(
                folder, 'holds pseudo-labels made with other settings: ' +
                '; '.join(diff[:6]) + (f' (and {len(diff) - 6} more)'
                                       if len(diff) > 6 else '') +
                '. Use another --out, or pass --no-resume to replace every '
                'label of that folder.')
        manifest['runs'] = old.get('runs', [])
    elif old is not None and not resume:
        manifest['replaced'] = dict(
            run_id=old.get('run_id'), folders=_move_aside(
                [folder, *derived], manifest['run_id']))
    os.makedirs(folder, exist_ok=True)
    manifest['status'] = 'running'
    write_json_atomic(manifest_path(folder), manifest)
    return manifest


def finish_manifest(folder: str, manifest: dict, run: dict, counts: dict,
                    status: str) -> dict:
    """Record a finished (or interrupted) run in the folder's manifest.

    Args:
        folder (str): The pseudo-label folder.
        manifest (dict): The manifest :func:`open_label_folder` wrote.
        run (dict): This run's record (appended to ``runs``).
        counts (dict): Counts over the whole folder.
        status (str): ``complete``, ``incomplete`` or ``interrupted``.

    Returns:
        dict: The manifest as written.
    """
    manifest = dict(manifest, status=status, counts=counts,
                    runs=list(manifest.get('runs', [])) + [run])
    write_json_atomic(manifest_path(folder), manifest)
    return manifest
