# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Opening a pseudo-label folder for a run, and closing it.

The rules that keep one folder from ever holding labels of two runs (see
:mod:`.pseudo_label_manifest` for what makes two runs the same).
"""
import os
import os.path as osp
import shutil
from typing import List, Sequence

from .label_io import list_label_files, remove_temporaries, write_json_atomic
from .pseudo_label_manifest import (MANIFEST, identity_differences,
                                    manifest_path, read_manifest)

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
