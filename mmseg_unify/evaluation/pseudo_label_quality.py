# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Quality of a folder of pseudo-labels against a finer ground truth.

When an extra dataset also has ground truth in the source taxonomy (the demo
extras keep it in ``ann_fine_dir``), the pseudo-labels can be scored
directly. Two IoU variants are reported because the ontology leaves some
pixels unlabelled (255) on purpose:

* ``IoU`` over the pixels the pseudo-label labels (unlabelled pixels are left
  out, as they are out of the student's loss): how *correct* the labels are;
* ``IoU (unlabelled = miss)``: unlabelled pixels count as misses of their
  true class: correctness and coverage together;

plus ``ignored_share``, the share of ground-truth-labelled pixels that the
pseudo-labels leave unlabelled, and pixel accuracy over labelled pixels.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.utils import ProgressBar


def list_label_files(folder: str, suffix: str = '.png') -> List[str]:
    """Label files under ``folder`` (recursive, relative, sorted); hidden
    files (e.g. temporaries of an unfinished write) are skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in files:
            if name.endswith(suffix) and not name.startswith('.'):
                found.append(osp.relpath(osp.join(root, name), folder))
    return sorted(found)


def _read_label(path: str) -> np.ndarray:
    label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if label is None:
        raise OSError(f'cannot read label file {path}')
    if label.ndim != 2:
        raise ValueError(f'{path}: expected a single-channel label map, got '
                         f'shape {label.shape}')
    return label.astype(np.int64)


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
    swapped). A pseudo-label without a ground-truth file is an error.

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
    conf = np.zeros((num_classes, num_classes), np.int64)  # gt x pred
    unlabelled = np.zeros(num_classes, np.int64)  # per gt class
    bar = ProgressBar(len(files)) if progress else None
    for rel in files:
        gt_file = osp.join(gt_dir, rel[:-len(suffix)] + gt_suffix)
        if not osp.isfile(gt_file):
            raise FileNotFoundError(
                f'{osp.join(pred_dir, rel)} has no ground truth {gt_file}')
        pred = _read_label(osp.join(pred_dir, rel))
        gt = _read_label(gt_file)
        if pred.shape != gt.shape:
            raise ValueError(f'{rel}: pseudo-label {pred.shape} and ground '
                             f'truth {gt.shape} differ in size')
        valid = gt != gt_ignore_index
        if valid.any() and gt[valid].max() >= num_classes:
            raise ValueError(f'{gt_file}: class id {gt[valid].max()} >= '
                             f'num_classes {num_classes}')
        labelled = pred != ignore_index
        if labelled.any() and pred[labelled].max() >= num_classes:
            raise ValueError(f'{osp.join(pred_dir, rel)}: class id '
                             f'{pred[labelled].max()} >= num_classes '
                             f'{num_classes}')
        both = valid & labelled
        conf += np.bincount(
            gt[both] * num_classes + pred[both],
            minlength=num_classes * num_classes).reshape(
                num_classes, num_classes)
        unlabelled += np.bincount(
            gt[valid & ~labelled], minlength=num_classes)
        if bar is not None:
            bar.update()
    if bar is not None:
        print('', flush=True)

    tp = np.diag(conf).astype(np.float64)
    gt_lab = conf.sum(axis=1)
    pred_lab = conf.sum(axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = tp / (gt_lab + pred_lab - tp)
        iou_miss = tp / (gt_lab + unlabelled + pred_lab - tp)
    gt_pixels = gt_lab + unlabelled
    present = (gt_pixels + pred_lab) > 0
    total_gt = int(gt_pixels.sum())
    return dict(
        images=len(files),
        classes=list(class_names) if class_names else
        [str(i) for i in range(num_classes)],
        iou=iou.tolist(),
        iou_miss=iou_miss.tolist(),
        gt_pixels=gt_pixels.tolist(),
        miou=float(np.nanmean(iou[present])) if present.any() else
        float('nan'),
        miou_miss=float(np.nanmean(iou_miss[present])) if present.any()
        else float('nan'),
        accuracy=float(tp.sum() / max(conf.sum(), 1)),
        ignored_share=float(unlabelled.sum() / max(total_gt, 1)))


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
