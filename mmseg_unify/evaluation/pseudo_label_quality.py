# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Quality of a folder of pseudo-labels against a finer ground truth.

When an extra dataset also has ground truth in the source taxonomy (the demo
extras keep it in ``ann_fine_dir``), the pseudo-labels can be scored
directly. Two IoU variants are reported because the ontology leaves some
pixels unlabelled (255) on purpose, both computed with MMSeg's
``IoUMetric.intersect_and_union`` and ``IoUMetric.total_area_to_metrics``:

* ``IoU`` over the pixels the pseudo-label labels (unlabelled pixels are left
  out, as they are out of the student's loss): how *correct* the labels are;
* ``IoU (unlabelled = miss)``: unlabelled pixels count as misses of their
  true class: correctness and coverage together;

plus ``ignored_share``, the share of ground-truth-labelled pixels that the
pseudo-labels leave unlabelled, and pixel accuracy over labelled pixels.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.utils import ProgressBar
from mmseg.evaluation import IoUMetric

from ..utils.label_io import list_label_files, read_label

__all__ = ['format_quality_table', 'list_label_files', 'pseudo_label_quality']


def _checked_ids(path: str, label: np.ndarray, unlabelled: int,
                 num_classes: int) -> np.ndarray:
    """``label`` as int64; a labelled id ``>= num_classes`` is an error."""
    label = label.astype(np.int64)
    labelled = label[label != unlabelled]
    if labelled.size and labelled.max() >= num_classes:
        raise ValueError(f'{path}: class id {labelled.max()} >= num_classes '
                         f'{num_classes}')
    return label


def _areas(pred: np.ndarray, gt: np.ndarray, num_classes: int,
           gt_ignore_index: int) -> np.ndarray:
    """``IoUMetric.intersect_and_union`` of one image as int64 (4, C).

    One extra bin (id ``num_classes``) takes pseudo-label pixels that are
    to count as misses; it is dropped, which leaves the union of the real
    classes unchanged (``union = pred + gt - intersect`` per class).
    """
    areas = IoUMetric.intersect_and_union(
        torch.from_numpy(pred), torch.from_numpy(gt), num_classes + 1,
        gt_ignore_index)
    return np.stack([a.numpy()[:num_classes] for a in areas]).astype(np.int64)


def image_areas(pred: np.ndarray, gt: np.ndarray, num_classes: int,
                ignore_index: int = 255,
                gt_ignore_index: int = 255) -> Tuple[np.ndarray, np.ndarray]:
    """Per-class areas of one pseudo-label for both IoU variants.

    Args:
        pred (np.ndarray): Pseudo-label ids (int64), ``ignore_index`` =
            unlabelled.
        gt (np.ndarray): Ground-truth ids (int64) of the same shape.
        num_classes (int): Number of source classes.
        ignore_index (int): Unlabelled value of ``pred``.
        gt_ignore_index (int): Unlabelled value of ``gt``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(labelled, miss)``, each int64 of
        shape (4, num_classes): intersection, union, pseudo-label area and
        ground-truth area. ``labelled`` leaves out the pixels the
        pseudo-label does not label; ``miss`` counts them as pixels of no
        class, i.e. as misses of their true class.
    """
    unlabelled = pred == ignore_index
    gt_labelled = np.where(unlabelled, gt_ignore_index, gt)
    pred_miss = np.where(unlabelled, num_classes, pred)
    return (_areas(pred_miss, gt_labelled, num_classes, gt_ignore_index),
            _areas(pred_miss, gt, num_classes, gt_ignore_index))


def _iou(areas: np.ndarray) -> np.ndarray:
    """``IoUMetric.total_area_to_metrics`` IoU of summed areas (float64)."""
    totals = [torch.from_numpy(a.astype(np.float64)) for a in areas]
    return IoUMetric.total_area_to_metrics(*totals, ['mIoU'])['IoU']


def _read_pair(pred_dir: str, gt_dir: str, rel: str, suffix: str,
               gt_suffix: str) -> Tuple[str, np.ndarray, str, np.ndarray]:
    """Paths and arrays of a pseudo-label and its ground truth."""
    pred_file = osp.join(pred_dir, rel)
    gt_file = osp.join(gt_dir, rel[:-len(suffix)] + gt_suffix)
    if not osp.isfile(gt_file):
        raise FileNotFoundError(f'{pred_file} has no ground truth {gt_file}')
    pred, gt = read_label(pred_file), read_label(gt_file)
    if pred.shape != gt.shape:
        raise ValueError(f'{rel}: pseudo-label {pred.shape} and ground '
                         f'truth {gt.shape} differ in size')
    return pred_file, pred, gt_file, gt


def pseudo_label_quality(pred_dir: str,
                         gt_dir: str,
                         num_classes: int,
                         class_names: Optional[Sequence[str]] = None,
                         ignore_index: int = 255,
                         gt_ignore_index: int = 255,
                         suffix: str = '.png',
                         gt_suffix: str = '.png',
                         progress: bool = False) -> Dict:
    """Score every pseudo-label in ``pred_dir`` against ``gt_dir``.

    Files are matched by their path relative to the folders (suffixes
    swapped). A pseudo-label without a ground-truth file is an error. The
    areas come from ``IoUMetric.intersect_and_union`` per image (exact up to
    2**24 pixels of a class in one image) and are summed as int64.

    Args:
        pred_dir (str): Pseudo-label folder (source train ids).
        gt_dir (str): Ground truth in the same taxonomy.
        num_classes (int): Number of source classes.
        class_names (Sequence[str], optional): Names for the table.
        ignore_index (int): Unlabelled value of the pseudo-labels.
        gt_ignore_index (int): Unlabelled value of the ground truth.
        suffix (str): Pseudo-label file suffix.
        gt_suffix (str): Ground-truth file suffix.
        progress (bool): Show a progress bar.

    Returns:
        dict: ``images``; ``classes``; per class ``iou``, ``iou_miss``
        (unlabelled = miss), ``gt_pixels``; ``miou``, ``miou_miss`` (means
        over classes present in the ground truth or the pseudo-labels);
        ``accuracy`` (labelled pixels); ``ignored_share``.
    """
    files = list_label_files(pred_dir, suffix)
    if not files:
        raise FileNotFoundError(f'no *{suffix} label files in {pred_dir}')
    labelled = np.zeros((4, num_classes), np.int64)
    miss = np.zeros((4, num_classes), np.int64)
    bar = ProgressBar(len(files)) if progress else None
    for rel in files:
        pred_file, pred, gt_file, gt = _read_pair(pred_dir, gt_dir, rel,
                                                  suffix, gt_suffix)
        gt = _checked_ids(gt_file, gt, gt_ignore_index, num_classes)
        pred = _checked_ids(pred_file, pred, ignore_index, num_classes)
        one_labelled, one_miss = image_areas(pred, gt, num_classes,
                                             ignore_index, gt_ignore_index)
        labelled += one_labelled
        miss += one_miss
        if bar is not None:
            bar.update()
    if bar is not None:
        print('', flush=True)
    return _summary(labelled, miss, len(files), num_classes, class_names)


def _summary(labelled: np.ndarray, miss: np.ndarray, images: int,
             num_classes: int, class_names: Optional[Sequence[str]]) -> Dict:
    """The result dict of :func:`pseudo_label_quality` from summed areas."""
    iou, iou_miss = _iou(labelled), _iou(miss)
    tp, pred_area, gt_labelled = labelled[0], labelled[2], labelled[3]
    gt_pixels = miss[3]
    present = (gt_pixels + pred_area) > 0
    total_gt = int(gt_pixels.sum())
    return dict(
        images=images,
        classes=list(class_names) if class_names else
        [str(i) for i in range(num_classes)],
        iou=iou.tolist(),
        iou_miss=iou_miss.tolist(),
        gt_pixels=gt_pixels.tolist(),
        miou=float(np.nanmean(iou[present])) if present.any() else
        float('nan'),
        miou_miss=float(np.nanmean(iou_miss[present])) if present.any()
        else float('nan'),
        accuracy=float(tp.sum() / max(gt_labelled.sum(), 1)),
        ignored_share=float((gt_pixels - gt_labelled).sum() /
                            max(total_gt, 1)))


def format_quality_table(results: Dict[str, Dict]) -> str:
    """A markdown table of one or more :func:`pseudo_label_quality` results.

    Args:
        results (dict): Column name (e.g. ``'with priors'``) -> result.

    Returns:
        str: Per-class IoU rows (``IoU / IoU unlabelled=miss``, in %), then
        mIoU, accuracy and the ignored-pixel share.
    """
    names = list(results)
    first = results[names[0]]
    lines = [
        '| class | ' + ' | '.join(names) + ' |',
        '| --- | ' + ' | '.join('---:' for _ in names) + ' |'
    ]

    def pct(v):
        return '-' if v is None or np.isnan(v) else f'{100 * v:.1f}'

    for i, cls in enumerate(first['classes']):
        cells = [
            f'{pct(r["iou"][i])} / {pct(r["iou_miss"][i])}'
            for r in results.values()
        ]
        lines.append(f'| {cls} | ' + ' | '.join(cells) + ' |')
    rows = [
        ('**mIoU** (labelled / unlabelled=miss)', lambda r:
         f'**{pct(r["miou"])}** / {pct(r["miou_miss"])}'),
        ('pixel accuracy (labelled)', lambda r: pct(r['accuracy'])),
        ('ignored pixels %', lambda r: pct(r['ignored_share'])),
        ('images', lambda r: str(r['images'])),
    ]
    for title, fn in rows:
        lines.append(f'| {title} | ' +
                     ' | '.join(fn(r) for r in results.values()) + ' |')
    return '\n'.join(lines)
