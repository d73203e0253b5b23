# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Where the package's data folders live, for source and wheel installs."""
from pathlib import Path

_PKG = Path(__file__).resolve().parents[1]


def package_data_dir(name: str) -> Path:
    """Return a top-level data folder of the project (``configs``,
    ``ontology_maps``, ``tools``).

    A source checkout or editable install has it next to the package; a wheel
    ships a copy under ``mmseg_unify/.mim/`` (see ``setup.py``).

    Args:
        name (str): Folder name.

    Returns:
        Path: The folder.

    Raises:
        FileNotFoundError: If neither location holds it.
    """
    for candidate in (_PKG.parent / name, _PKG / '.mim' / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f'mmseg_unify: folder {name!r} not found next to the package '
        f'({_PKG.parent}) nor in {_PKG / ".mim"}; reinstall the package.')


def ontology_file(relative: str) -> Path:
    """Return a file under ``ontology_maps/``, e.g. ``taxonomies/x.yaml``."""
    return package_data_dir('ontology_maps') / relative
