# Copyright (c) mmseg-unify contributors. All rights reserved.
"""References to config files, as a config names them (``teacher_cfg``).

A reference is one of:

* ``mmseg_unify::lad/x.py``: a config shipped with this package, found in
  its ``configs`` folder (source checkout, editable install or wheel, see
  :func:`mmseg_unify.utils.paths.package_data_dir`);
* ``mmseg::deeplabv3/x.py`` (or another OpenMMLab package mmengine knows):
  left to ``mmengine.hub.get_config``;
* an absolute path, also what ``'{{fileDirname}}/x.py'`` becomes: mmengine
  substitutes the naming config's folder when it parses that file;
* a relative path: tried against the current directory, then against the
  folder of the config that names it (when the caller knows that config).

A leaf module: it imports nothing of ours but :mod:`mmseg_unify.utils.paths`.
"""
import os.path as osp
from typing import Any, List, Optional, Tuple

from mmengine.config import Config

from mmseg_unify.utils.paths import package_data_dir

PACKAGE_PREFIX = 'mmseg_unify::'


def is_external(ref: str) -> bool:
    """Whether ``ref`` names another package's config (``mmseg::...``).

    Args:
        ref (str): A config reference.
    """
    return '::' in ref and not ref.startswith(PACKAGE_PREFIX)


def resolve_config_ref(ref: str, relative_to: Optional[str] = None) -> str:
    """The config file a reference names.

    Args:
        ref (str): The reference (forms: see the module docstring).
        relative_to (str, optional): The config file that holds ``ref`` (or
            its folder): a relative ``ref`` that is not found from the
            current directory is tried there.

    Returns:
        str: An existing config file (absolute for ``mmseg_unify::`` and for
        paths found relative to ``relative_to``; a path found from the
        current directory is returned as given), or ``ref`` unchanged for
        another package's ``pkg::`` reference.

    Raises:
        FileNotFoundError: Naming ``ref`` and every place it was looked for.
    """
    if not isinstance(ref, str) or not ref:
        raise TypeError(f'a config reference must be a non-empty str, got '
                        f'{ref!r}')
    if is_external(ref):
        return ref
    tried: List[str] = []
    for candidate in _candidates(ref, relative_to):
        if osp.isfile(candidate):
            return candidate
        tried.append(osp.abspath(candidate))
    hint = ''
    if '{{' in ref:
        hint = (' ({{fileDirname}} is replaced only inside a config file '
                'that mmengine parses, not in --cfg-options or code)')
    raise FileNotFoundError(
        f'config {ref!r} not found; looked in: {", ".join(tried)}{hint}. '
        "Name a provided config as 'mmseg_unify::<folder>/<file>.py' "
        "(e.g. 'mmseg_unify::lad/lad-teacher_...py'), an MMSeg one as "
        "'mmseg::<folder>/<file>.py', or give a path.")


def _candidates(ref: str, relative_to: Optional[str]) -> List[str]:
    """The files a (non-external) reference may stand for, in order.

    Args:
        ref (str): A reference that is not another package's.
        relative_to (str, optional): The naming config file or its folder.
    """
    if ref.startswith(PACKAGE_PREFIX):
        rel = ref[len(PACKAGE_PREFIX):].lstrip('/')
        try:
            return [str(package_data_dir('configs') / rel)]
        except FileNotFoundError as e:  # a broken install: say where
            raise FileNotFoundError(f'config {ref!r}: {e}') from e
    path = osp.expanduser(ref)
    if osp.isabs(path):
        return [path]
    candidates = [path]
    if relative_to:
        folder = relative_to if osp.isdir(relative_to) else osp.dirname(
            relative_to)
        beside = osp.normpath(osp.join(osp.abspath(folder), path))
        if beside != osp.abspath(path):
            candidates.append(beside)
    return candidates


def read_config(ref: str, relative_to: Optional[str] = None) -> Config:
    """Read the config a reference names.

    Args:
        ref (str): A config reference (see :func:`resolve_config_ref`).
        relative_to (str, optional): The config file that names ``ref``.

    Returns:
        Config: The whole config.

    Raises:
        FileNotFoundError: If ``ref`` names no file.
    """
    path = resolve_config_ref(ref, relative_to)
    if is_external(path):
        from mmengine.hub import get_config
        return get_config(path)
    return Config.fromfile(path)


def resolve_teacher_cfgs(cfg: Config) -> List[Tuple[str, str]]:
    """Make every ``teacher_cfg`` in ``cfg.model`` readable from anywhere.

    Checks every ``teacher_cfg`` string under ``cfg.model`` (distillers
    nested in wrappers included); a relative path that exists only
    relative to the folder of ``cfg.filename`` (the config file that was
    read) is replaced by its absolute path, so that the distiller, which
    sees only the string, finds it from any working directory. References
    that resolve from the current directory and ``pkg::`` references are
    left as they are.

    Args:
        cfg (Config): A config read from a file.

    Returns:
        list[tuple[str, str]]: ``(old, new)`` for each rewritten reference.

    Raises:
        FileNotFoundError: If a ``teacher_cfg`` names no file, listing the
            places looked in.
    """
    model = cfg.get('model')
    if model is None:
        return []
    filename = getattr(cfg, 'filename', None)
    changes: List[Tuple[str, str]] = []
    for owner in _teacher_owners(model):
        ref = owner['teacher_cfg']
        if not isinstance(ref, str) or '::' in ref:
            continue
        try:
            path = resolve_config_ref(ref, filename)
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'{filename}: model teacher_cfg: {e}') from None
        if path != ref:
            owner['teacher_cfg'] = path
            changes.append((ref, path))
    return changes


def _teacher_owners(node: Any) -> List[dict]:
    """Every dict under ``node`` that has a ``teacher_cfg`` key."""
    found = []
    if isinstance(node, dict):
        if 'teacher_cfg' in node:
            found.append(node)
        for value in node.values():
            found += _teacher_owners(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found += _teacher_owners(value)
    return found
