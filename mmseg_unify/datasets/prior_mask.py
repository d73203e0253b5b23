# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``LoadPriorMask``: the label of an image without ground truth.

Pseudo-labelling looks every pixel's label in the extra dataset's own
taxonomy up in an ontology map. Images without ground truth (Naive Student's
own extra data: Cityscapes ``leftImg8bit_sequence``, ``train_extra``) have
no label file; their taxonomy ``ontology_maps/taxonomies/unlabelled.yaml``
has two raw ids, and this transform makes the label from them:

* ``0`` (``unlabelled``) everywhere: the maps ``unlabelled_to_<source>``
  allow every source class (the teacher's argmax, never void);
* ``1`` (``masked``) where the sample's prior mask is non-zero (e.g. the
  ego vehicle): always unlabelled (255 in the pseudo-labels).

The mask is the file ``results['seg_map_path']`` that
:class:`~mmseg_unify.datasets.UnlabelledDataset` gives each sample (one
per image, per city or per camera); a sample without one is all ``0``. The
mask must have the image's size (``ori_shape``). Grey, palette, 16-bit and
RGB PNGs are read; any non-zero value (any non-zero channel) is masked.

It stands where ``LoadAnnotations`` stands in a ``tta_pipeline`` (inside
``TestTimeAug``, after ``Resize``/``RandomFlip``), so the label keeps the
original size and orientation, as a loaded label file would::

    [dict(type='LoadPriorMask')],
"""
from collections import OrderedDict
from typing import Optional

import mmengine.fileio as fileio
import numpy as np
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from .transforms import decode_png

UNLABELLED, MASKED = 0, 1
_GREY_MODES = ('1', 'L', 'P', 'I;16', 'I;16L', 'I;16B', 'I;16N', 'I')


def decode_mask(data: bytes, path: str) -> np.ndarray:
    """Decode a mask file: ``True`` where a pixel is non-zero.

    Args:
        data (bytes): The encoded file (a PNG or another format Pillow
            reads).
        path (str): Its name, for the error messages.

    Returns:
        np.ndarray: ``H x W`` bool.

    Raises:
        OSError: The bytes do not decode (names the file).
        ValueError: An image mode other than grey, palette or RGB (names
            the file and the mode).
    """
    mode, mask = decode_png(data, path, 'prior mask')
    if mode == 'RGB':
        return mask.any(axis=-1)
    if mode not in _GREY_MODES:
        raise ValueError(f'prior mask {path}: expected a grey, palette or '
                         f'RGB image, got mode {mode} (shape {mask.shape})')
    return mask != 0


def check_mask_size(mask: np.ndarray, path: str, results: dict) -> None:
    """Refuse a mask whose size is not the image's.

    Args:
        mask (np.ndarray): ``H x W`` mask.
        path (str): The mask file.
        results (dict): The sample (``ori_shape``, ``img_path``).

    Raises:
        ValueError: Naming the mask file, its size, the image and its size
            (``width x height``).
    """
    height, width = results['ori_shape'][:2]
    if mask.shape != (height, width):
        raise ValueError(
            f'prior mask {path} is {mask.shape[1]}x{mask.shape[0]} '
            f'(width x height) but image {results.get("img_path")} is '
            f'{width}x{height}; a prior mask must have its images\' size')


@TRANSFORMS.register_module()
class LoadPriorMask(LoadAnnotations):
    """``gt_seg_map`` of raw ``unlabelled`` ids from a prior mask (module
    doc).

    Required Keys: ``ori_shape``, ``reduce_zero_label`` (must be False);
    optional ``seg_map_path`` (the mask), ``label_map`` (must be empty).
    Added Keys: ``gt_seg_map`` (``uint8``: 0, and 1 where masked),
    ``seg_fields``.

    Args:
        backend_args (dict, optional): File backend arguments, as MMSeg's.
        cache_size (int): Decoded masks kept (least recently used first
            out): a per-camera mask is read once, a per-image mask once for
            all test-time augmentations of its image. Default: 8.
    """

    def __init__(self,
                 backend_args: Optional[dict] = None,
                 cache_size: int = 8) -> None:
        super().__init__(backend_args=backend_args)
        self.cache_size = int(cache_size)
        self._cache: 'OrderedDict[str, np.ndarray]' = OrderedDict()

    def _read(self, path: str, results: dict) -> np.ndarray:
        """The decoded mask of ``path``, from the cache when there."""
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        try:
            data = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'prior mask {path} of image {results.get("img_path")} not '
                'found') from e
        mask = decode_mask(data, path)
        self._cache[path] = mask
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return mask

    def _load_seg_map(self, results: dict) -> None:
        """Set ``results['gt_seg_map']`` from the sample's prior mask.

        Args:
            results (dict): The sample's result dict.

        Raises:
            ValueError: The dataset reduces zero labels or maps ids (the raw
                ids must stay), or the mask's size is not the image's.
        """
        self.reduce_zero_label = bool(results.get('reduce_zero_label'))
        if self.reduce_zero_label or results.get('label_map'):
            raise ValueError(
                'LoadPriorMask makes raw ids of taxonomies/unlabelled.yaml; '
                'the dataset must keep them (reduce_zero_label=False, no '
                'label_map: use UnlabelledDataset)')
        height, width = results['ori_shape'][:2]
        label = np.full((height, width), UNLABELLED, dtype=np.uint8)
        path = results.get('seg_map_path')
        if path:
            mask = self._read(path, results)
            check_mask_size(mask, path, results)
            label[mask] = MASKED
        results['gt_seg_map'] = label
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(backend_args={self.backend_args},'
                f' cache_size={self.cache_size})')
