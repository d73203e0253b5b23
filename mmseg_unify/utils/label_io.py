# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Label files on disk: reading, finding, naming, and atomic writing.

A leaf module: it imports nothing of ``mmseg_unify``.
"""
import hashlib
import json
import os
import os.path as osp
import uuid
from typing import List, Optional, Tuple

import cv2
import numpy as np

_LABEL_DTYPES = (np.uint8, np.uint16)


def read_label(path: str) -> np.ndarray:
    """Read a label file as it is stored.

    OpenCV expands palette PNGs (Mapillary Vistas, VOC) to colour; for those
    the palette *indices* are the ids, read with PIL.

    Args:
        path (str): Label file (PNG or any format OpenCV reads unchanged).

    Returns:
        np.ndarray: H x W ids, ``uint8`` or ``uint16`` as stored.

    Raises:
        FileNotFoundError: ``path`` does not exist (names the file).
        OSError: The file exists but cannot be decoded (names the file).
        ValueError: The file is not a single-channel 8/16-bit map (names the
            file, its shape and dtype).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'label file {path} does not exist')
    label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if label is None:
        raise OSError(f'cannot read label file {path}')
    if label.ndim != 2:
        label = _palette_indices(path, label.shape)
    if label.dtype not in _LABEL_DTYPES:
        raise ValueError(f'{path}: expected 8- or 16-bit label ids, got '
                         f'dtype {label.dtype}, shape {label.shape}')
    return label


def _palette_indices(path: str, shape) -> np.ndarray:
    """The indices of a palette PNG (its ids); refuse true colour images."""
    from PIL import Image
    with Image.open(path) as img:
        if img.mode != 'P':
            raise ValueError(
                f'{path}: expected a single-channel label map, got shape '
                f'{shape} (a colour image? convert colour-coded labels to '
                'ids first)')
        return np.asarray(img, dtype=np.uint8)


def list_label_files(folder: str, suffix: str = '.png') -> List[str]:
    """Label files under ``folder``.

    Hidden files and folders (e.g. temporaries of an unfinished atomic
    write) are skipped.

    Args:
        folder (str): Root folder, searched recursively.
        suffix (str): File name ending. Default: ``'.png'``.

    Returns:
        list[str]: Paths relative to ``folder``, sorted.
    """
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in files:
            if name.endswith(suffix) and not name.startswith('.'):
                found.append(osp.relpath(osp.join(root, name), folder))
    return sorted(found)


# --------------------------------------------------------------- writing
TMP_SUFFIX = '.tmp'


def _temporary_next_to(path: str) -> Tuple[int, str]:
    """Create a hidden temporary file beside ``path``.

    Opened with mode ``0o666`` so that the process umask applies, as for any
    ordinary file (``tempfile.mkstemp`` would make it ``0o600``).

    Returns:
        tuple[int, str]: The open file descriptor and the temporary's path.
    """
    folder, name = osp.split(path)
    os.makedirs(folder or '.', exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    while True:
        tmp = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:12]}{TMP_SUFFIX}')
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # pragma: no cover (a uuid collision)
            continue


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent, the old
    file, or complete: a hidden temporary file in the same folder, then
    ``os.replace``. The temporary is removed if anything fails.

    Args:
        path (str): Target file.
        data (bytes): Its content.
    """
    fd, tmp = _temporary_next_to(path)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def write_png_atomic(path: str, image: np.ndarray) -> None:
    """Encode ``image`` as PNG and write it atomically (see
    :func:`write_bytes_atomic`).

    Args:
        path (str): Target file.
        image (np.ndarray): ``uint8``/``uint16`` H x W, or H x W x 3 (BGR).
    """
    ok, buf = cv2.imencode('.png', image)
    if not ok:
        raise OSError(f'could not encode {path} as PNG')
    write_bytes_atomic(path, buf.tobytes())


def write_json_atomic(path: str, data: dict) -> None:
    """``json.dumps(data, indent=2)`` written atomically to ``path``."""
    write_bytes_atomic(path, json.dumps(data, indent=2).encode('utf-8'))


def remove_temporaries(folder: str) -> int:
    """Delete the hidden temporaries that killed writers left in ``folder``
    (recursively).

    Args:
        folder (str): A folder this package writes into.

    Returns:
        int: The number of files removed.
    """
    removed = 0
    for root, _, files in os.walk(folder):
        for name in files:
            if name.startswith('.') and name.endswith(TMP_SUFFIX):
                os.remove(osp.join(root, name))
                removed += 1
    return removed


# ----------------------------------------------------- identity and names
def sha256_file(path: Optional[str], chunk: int = 1 << 22) -> Optional[str]:
    """Hex sha256 of a file (``None`` for no path).

    Args:
        path (str, optional): The file.
        chunk (int): Read size in bytes.

    Returns:
        str | None: The digest.
    """
    if not path:
        return None
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def label_dtype(num_classes: int, ignore_index: int) -> np.dtype:
    """``uint8`` if every class id and ``ignore_index`` fit, else
    ``uint16``.

    Args:
        num_classes (int): Number of classes (ids ``0..num_classes - 1``).
        ignore_index (int): Value of unlabelled pixels.

    Returns:
        np.dtype: The file dtype.

    Raises:
        ValueError: If ``ignore_index`` is a class id or exceeds 16 bits.
    """
    if 0 <= ignore_index < num_classes:
        raise ValueError(f'ignore_index {ignore_index} is also a class id '
                         f'({num_classes} classes); choose one >= '
                         f'{num_classes} (e.g. 65535)')
    if max(num_classes - 1, ignore_index) <= 255:
        return np.dtype(np.uint8)
    if ignore_index <= 65535:
        return np.dtype(np.uint16)
    raise ValueError(f'ignore_index {ignore_index} does not fit 16 bits')


def label_path(out_dir: str, img_path: str, img_prefix: str,
               img_suffix: Optional[str], label_suffix: str = '.png') -> str:
    """The label file of an image: its path relative to ``img_prefix``
    under ``out_dir``, with the image suffix replaced.

    Args:
        out_dir (str): Root of the label files.
        img_path (str): The image file.
        img_prefix (str): The dataset's image folder (``''``: file name
            only).
        img_suffix (str, optional): The dataset's ``img_suffix``; replaced
            if the name ends with it, else the extension is.
        label_suffix (str): The label file suffix.

    Returns:
        str: The label file.

    Raises:
        ValueError: If the image is not under ``img_prefix``.
    """
    rel = osp.relpath(img_path, img_prefix) if img_prefix else \
        osp.basename(img_path)
    if rel.startswith('..'):
        raise ValueError(f'{img_path} is not under the dataset image '
                         f'prefix {img_prefix}')
    if img_suffix and rel.endswith(img_suffix):
        stem = rel[:-len(img_suffix)]
    else:
        stem = osp.splitext(rel)[0]
    return osp.join(out_dir, stem + label_suffix)


def dataset_label_paths(dataset, out_dir: str,
                        label_suffix: str = '.png') -> Tuple[list, list]:
    """Every image of an MMSeg dataset and its label file under ``out_dir``
    (see :func:`label_path`).

    Args:
        dataset: A dataset with ``get_data_info``, ``data_prefix`` and
            ``img_suffix``, as MMSeg's.
        out_dir (str): Root of the label files.
        label_suffix (str): The label file suffix.

    Returns:
        tuple[list[str], list[str]]: Image files and label files.

    Raises:
        ValueError: If two images map to the same label file.
    """
    prefix = getattr(dataset, 'data_prefix', {}).get('img_path', '')
    suffix = getattr(dataset, 'img_suffix', None)
    images = [dataset.get_data_info(i)['img_path']
              for i in range(len(dataset))]
    targets = [label_path(out_dir, p, prefix, suffix, label_suffix)
               for p in images]
    if len(set(targets)) != len(images):
        raise ValueError(f'two images of the dataset (under {prefix}) map to '
                         'the same label file; check img_suffix and '
                         'label_suffix')
    return images, targets
