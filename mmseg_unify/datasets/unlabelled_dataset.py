# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``UnlabelledDataset``: a folder of images without ground truth.

Naive Student's own extra data (Cityscapes ``leftImg8bit_sequence``,
``train_extra``) has no labels, at most a prior mask of pixels never to be
labelled (the ego vehicle). The dataset lists the images as MMSeg does
(``data_prefix.img_path`` + ``img_suffix``, recursively, sorted) in the
taxonomy ``unlabelled`` with raw ids, and gives each sample its mask as
``seg_map_path``, which :class:`~mmseg_unify.datasets.LoadPriorMask` turns
into the raw-id label (``0``; ``1`` where masked). Three mask sources, at
most one of them::

    # none: every pixel is labelled by the teacher
    dict(type='UnlabelledDataset', data_root='data/cityscapes',
         data_prefix=dict(img_path='leftImg8bit_sequence/train'),
         img_suffix='_leftImg8bit.png', pipeline=[...])
    # one mask for all images (one camera), or one per folder (per city):
    # '{folder}' becomes the name of the folder holding the image
    ..., prior_mask='ego_vehicle/{folder}.png'
    # one mask per image, paired as MMSeg pairs labels: the image's path
    # below img_path, img_suffix replaced by seg_map_suffix
    ..., data_prefix=dict(img_path='leftImg8bit_sequence/train',
                          seg_map_path='masks/train'),
         seg_map_suffix='_mask.png'

Paths are relative to ``data_root``. ``prior_mask`` is kept in
``data_prefix`` (as ``data_prefix['prior_mask']``), so the pseudo-label
manifest records it and runs with different masks never share a folder.
Every mask must exist when the dataset is built (missing ones are named).
The pseudo-label of ``<img_path>/<dir>/<stem><img_suffix>`` is
``<out>/<dir>/<stem>.png``, which a dataset with the same ``img_path`` and
``img_suffix`` and ``seg_map_suffix='.png'`` reads back.
"""
import os.path as osp
from typing import List, Optional

import mmengine.fileio as fileio
from mmseg.registry import DATASETS

from .taxonomy_dataset import TaxonomySegDataset

TAXONOMY = 'unlabelled'
FOLDER = '{folder}'


def prior_mask_path(template: str, img_path: str) -> str:
    """The mask of an image: ``template`` with ``{folder}`` replaced by the
    name of the folder holding the image.

    Args:
        template (str): Mask file, possibly with ``{folder}``.
        img_path (str): The image file.

    Returns:
        str: The mask file.
    """
    return template.replace(FOLDER, osp.basename(osp.dirname(img_path)))


def check_masks_exist(data_list: List[dict],
                      backend_args: Optional[dict] = None) -> None:
    """Refuse a dataset whose samples name masks that do not exist.

    Args:
        data_list (list[dict]): Samples (``img_path``, ``seg_map_path``).
        backend_args (dict, optional): File backend arguments.

    Raises:
        FileNotFoundError: Naming the number of missing masks and the first
            few, each with its image.
    """
    seen, missing = {}, []
    for info in data_list:
        path = info.get('seg_map_path')
        if path is None:
            continue
        if path not in seen:
            seen[path] = fileio.exists(path, backend_args=backend_args)
        if not seen[path]:
            missing.append(f'{path} (image {info["img_path"]})')
    if missing:
        raise FileNotFoundError(
            f'UnlabelledDataset: {len(missing)} of {len(data_list)} images '
            f'have no prior mask: ' + '; '.join(missing[:5]) +
            ('; ...' if len(missing) > 5 else ''))


@DATASETS.register_module()
class UnlabelledDataset(TaxonomySegDataset):
    """Images without ground truth, with an optional prior mask (module
    doc). Taxonomy ``unlabelled``, raw ids (no ``label_map``).

    Args:
        prior_mask (str, optional): One mask file for all images, relative
            to ``data_root``; ``{folder}`` in it becomes the name of the
            image's folder (one mask per city). Not together with
            ``data_prefix['seg_map_path']`` (one mask per image). Default:
            None (no mask, unless per image).
        data_prefix (dict, optional): ``img_path`` (the images) and,
            optionally, ``seg_map_path`` (a folder of per-image masks, named
            as MMSeg names label files: ``seg_map_suffix``). Default:
            ``dict(img_path='')``.
        **kwargs: Arguments of :class:`mmseg.datasets.BaseSegDataset`
            (``img_suffix``, ``seg_map_suffix``, ``data_root``,
            ``pipeline``, ...).
    """

    def __init__(self,
                 prior_mask: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 **kwargs) -> None:
        prefix = {k: v for k, v in dict(data_prefix or {}).items()
                  if v is not None}
        prefix.setdefault('img_path', '')
        if prior_mask and 'seg_map_path' in prefix:
            raise ValueError(
                f'UnlabelledDataset: give prior_mask ({prior_mask!r}, one '
                'mask for all images) or data_prefix.seg_map_path '
                f'({prefix["seg_map_path"]!r}, one mask per image), not both')
        if prior_mask:
            prefix['prior_mask'] = str(prior_mask)
        super().__init__(
            taxonomy=TAXONOMY, raw_ids=True, data_prefix=prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """MMSeg's image listing; each sample's ``seg_map_path`` is its
        prior mask (per image, or ``prior_mask`` resolved), if any.

        Returns:
            list[dict]: The samples, sorted by image path.

        Raises:
            FileNotFoundError: If a mask is missing (see
                :func:`check_masks_exist`).
        """
        data_list = super().load_data_list()
        template = self.data_prefix.get('prior_mask')
        if template:
            for info in data_list:
                info['seg_map_path'] = prior_mask_path(
                    template, info['img_path'])
        check_masks_exist(data_list, self.backend_args)
        return data_list
