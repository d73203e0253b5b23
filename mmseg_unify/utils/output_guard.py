# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Keep tools from writing into the folders they read.

A tool that writes one file per input image (pseudo-labels, colour copies,
panels) must never write into, nor be pointed at a folder containing, the
folders that hold the dataset's images or labels: a label written there
replaces an input, or would be picked up as an input by the next scan. Paths
are compared after resolving symbolic links.
"""
import os.path as osp
from typing import Dict, Iterable, List


def _real(path: str) -> str:
    return osp.normcase(osp.realpath(osp.abspath(path)))


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(osp.sep) + osp.sep)


def input_folders(files: Iterable[str],
                  prefixes: Iterable[str] = ()) -> List[str]:
    """The resolved folders that hold ``files``, plus ``prefixes``.

    Args:
        files (Iterable[str]): The dataset's image and label files.
        prefixes (Iterable[str]): Its image and label folders (empty
            strings are skipped).

    Returns:
        list[str]: Resolved folders, sorted, without duplicates.
    """
    folders = {_real(osp.dirname(f) or '.') for f in files if f}
    folders.update(_real(p) for p in prefixes if p)
    return sorted(folders)


def check_output_folders(outputs: Dict[str, str],
                         inputs: Iterable[str]) -> None:
    """Refuse output folders that are, lie inside, or contain an input
    folder.

    Args:
        outputs (dict[str, str]): What each output folder is called in the
            user's terms (e.g. ``'--out'``) -> the folder.
        inputs (Iterable[str]): Folders holding the inputs (see
            :func:`input_folders`).

    Raises:
        ValueError: Naming the output, its flag and the input folder.
    """
    inputs = list(inputs)
    for flag, folder in outputs.items():
        out = _real(folder)
        for src in inputs:
            if _inside(out, src):
                where = 'is' if out == src else 'lies inside'
            elif _inside(src, out):
                where = 'contains'
            else:
                continue
            raise ValueError(
                f'{flag} {folder} {where} the dataset folder {src}, which '
                'holds its images or labels; writing there would replace or '
                f'mix with the dataset. Choose a {flag} outside the dataset '
                '(e.g. under work_dirs/ or data/<dataset>/pseudo_labels/).')


def dataset_input_folders(dataset) -> List[str]:
    """The resolved folders holding an MMSeg dataset's images and labels.

    Args:
        dataset: A dataset with ``get_data_info`` (``img_path``,
            ``seg_map_path``) and ``data_prefix``, as MMSeg's.

    Returns:
        list[str]: See :func:`input_folders`.
    """
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    files = [p for info in infos
             for p in (info.get('img_path'), info.get('seg_map_path')) if p]
    prefix = getattr(dataset, 'data_prefix', {})
    return input_folders(
        files, [prefix.get('img_path', ''), prefix.get('seg_map_path', '')])
