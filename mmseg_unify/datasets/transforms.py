# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``LoadAnnotations16Bit``: label files loaded without losing bits.

MMSeg's ``LoadAnnotations`` decodes a label file and casts it to ``uint8``,
so a raw id of 300 silently becomes 44. Taxonomies with raw ids above 255,
and pseudo-labels of a source with more than 255 classes (written as
``uint16`` with an ignore index such as 65535), need every id as stored.
This transform is a drop-in replacement (MMSeg's arguments, plus
``ignore_index``) that:

* decodes 8-bit and 16-bit grey PNGs and palette PNGs (their indices, as
  MMSeg's default ``pillow`` backend reads them) and refuses colour images
  and wider data, naming the file;
* returns ``gt_seg_map`` as ``uint16`` whatever the file stores, so that
  label maps, ``reduce_zero_label`` and pad values up to 65535 survive the
  geometric transforms (``PackSegInputs`` makes it ``int64`` anyway);
* applies the dataset's ``label_map`` with one table lookup (MMSeg loops
  once per entry), for keys and values up to 65535.

Use it wherever a pipeline says ``LoadAnnotations``::

    dict(type='LoadAnnotations16Bit')
    dict(type='LoadAnnotations16Bit', reduce_zero_label=True,
         ignore_index=65535)
"""
import io
from typing import Dict, Optional

import mmengine.fileio as fileio
import numpy as np
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS
from PIL import Image

MAX_ID = 65535
_NARROW_MODES = ('1', 'L', 'P')
_WIDE_MODES = ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I')


def decode_png(data: bytes, path: str, what: str = 'label file'):
    """Decode image bytes with PIL, keeping their mode.

    Args:
        data (bytes): The file's bytes.
        path (str): The file (named in the error).
        what (str): What the file is, for the error.

    Returns:
        tuple[str, np.ndarray]: PIL's mode and the array.

    Raises:
        OSError: The bytes do not decode (names the file).
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.mode, np.array(img)
    except (OSError, SyntaxError) as e:
        raise OSError(f'cannot decode {what} {path} ({e})') from e


def decode_label(data: bytes, path: str) -> np.ndarray:
    """Decode a label file's bytes into its ids, losslessly.

    Args:
        data (bytes): The encoded file (PNG or another format Pillow reads).
        path (str): Its name, for the error messages.

    Returns:
        np.ndarray: H x W ``uint16`` ids.

    Raises:
        OSError: The bytes do not decode (names the file).
        ValueError: A colour image, or ids outside ``0..65535`` (names the
            file, its mode and the values).
    """
    mode, label = decode_png(data, path)
    if mode not in _NARROW_MODES + _WIDE_MODES:
        raise ValueError(
            f'{path}: expected a single-channel label map (grey or palette '
            f'PNG), got a {mode} image of shape {label.shape}')
    if label.size and (label.min() < 0 or label.max() > MAX_ID):
        raise ValueError(f'{path}: label ids {label.min()}..{label.max()} '
                         f'do not fit 16 bits')
    return label.astype(np.uint16)


def reduce_zero(label: np.ndarray, ignore_index: int = 255) -> np.ndarray:
    """``reduce_zero_label`` as MMSeg defines it: 0 and ``ignore_index``
    become ``ignore_index``, every other id ``id - 1``.

    Args:
        label (np.ndarray): ``uint16`` ids.
        ignore_index (int): The ignore value. Default: 255.

    Returns:
        np.ndarray: ``uint16`` ids.
    """
    out = label.astype(np.int64) - 1
    out[(label == 0) | (label == ignore_index)] = ignore_index
    return out.astype(np.uint16)


def apply_label_map(label: np.ndarray, label_map: Dict[int, int],
                    path: str) -> np.ndarray:
    """Replace every id by ``label_map[id]`` (ids not in it stay).

    All replacements use the original ids (as MMSeg's, which copies the
    label first), done with one lookup table.

    Args:
        label (np.ndarray): ``uint16`` ids.
        label_map (dict[int, int]): Old id -> new id, both in 0..65535.
        path (str): The label file, for the error message.

    Returns:
        np.ndarray: ``uint16`` ids.

    Raises:
        ValueError: A key or value outside ``0..65535`` (names the file and
            the entry).
    """
    lut = np.arange(MAX_ID + 1, dtype=np.uint16)
    for old, new in label_map.items():
        if not (0 <= int(old) <= MAX_ID and 0 <= int(new) <= MAX_ID):
            raise ValueError(f'{path}: label_map entry {old} -> {new} does '
                             f'not fit 16 bits')
        lut[int(old)] = int(new)
    return lut[label]


@TRANSFORMS.register_module()
class LoadAnnotations16Bit(LoadAnnotations):
    """MMSeg's ``LoadAnnotations`` for label ids up to 65535 (module doc).

    Required Keys: ``seg_map_path``, ``reduce_zero_label``; optional
    ``label_map``. Added Keys: ``gt_seg_map`` (``uint16``), ``seg_fields``.

    Args:
        reduce_zero_label (bool, optional): As MMSeg's (``None``: the
            dataset's setting). Default: None.
        backend_args (dict, optional): File backend arguments, as MMSeg's.
        imdecode_backend (str): Accepted for drop-in use; files are always
            decoded by Pillow (lossless for 8/16-bit grey and palette PNGs).
        ignore_index (int): The value ``reduce_zero_label`` sends 0 to (and
            keeps). Default: 255.
    """

    def __init__(self,
                 reduce_zero_label: Optional[bool] = None,
                 backend_args: Optional[dict] = None,
                 imdecode_backend: str = 'pillow',
                 ignore_index: int = 255) -> None:
        super().__init__(reduce_zero_label=reduce_zero_label,
                         backend_args=backend_args,
                         imdecode_backend=imdecode_backend)
        if not 0 <= ignore_index <= MAX_ID:
            raise ValueError(f'LoadAnnotations16Bit: ignore_index '
                             f'{ignore_index} does not fit 16 bits')
        self.ignore_index = int(ignore_index)

    def _load_seg_map(self, results: dict) -> None:
        """Load ``results['seg_map_path']`` into ``results['gt_seg_map']``.

        Args:
            results (dict): The sample's result dict.
        """
        path = results['seg_map_path']
        label = decode_label(fileio.get(path, backend_args=self.backend_args),
                             path)
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label != results['reduce_zero_label']:
            raise ValueError(
                f'LoadAnnotations16Bit: reduce_zero_label='
                f'{self.reduce_zero_label} but the dataset has '
                f'{results["reduce_zero_label"]}; set it on the dataset')
        if self.reduce_zero_label:
            label = reduce_zero(label, self.ignore_index)
        if results.get('label_map'):
            label = apply_label_map(label, results['label_map'], path)
        results['gt_seg_map'] = label
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(reduce_zero_label='
                f'{self.reduce_zero_label}, ignore_index={self.ignore_index}, '
                f'backend_args={self.backend_args})')
