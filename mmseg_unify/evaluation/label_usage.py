# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What a LAD teacher's prediction comes from: the image or the label channel
(LAD paper §4.2 "Shortcut learning", Fig. 4; Tab. 9).

Two views on the same images, each with the teacher's own noised label:

* **attribution**: gradient × input (or integrated gradients from a zero
  input) of each predicted class's logits over its pixels; the label's
  *share* is ``|label| / (|image| + |label|)``, per class and overall.
* **ablation**: the prediction with the label channel zeroed, with another
  image's noised label, with a fresh noise draw (the noise floor) and with
  the image replaced by its mean colour: mIoU (MMSeg's ``IoUMetric``
  functions), KL ×100 to the full prediction, pixels whose class stays.

:func:`~.label_usage_verdict.verdict` reads both views of the result.
"""
from typing import Dict, Iterable, List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.evaluation.metrics import IoUMetric
from mmseg.models.utils import resize

from .label_usage_verdict import verdict

METHODS = ('grad_x_input', 'integrated_gradients')
CONDITIONS = {  # JSON key: what the row means
    'label_zeroed': 'label channel zeroed',
    'label_other_image': "another image's noised label",
    'label_redrawn': 'same label, new noise draw',
    'image_mean': 'image replaced by its mean',
}


def check_teacher(model) -> None:
    """Raise unless ``model`` appends a label channel (a LAD teacher)."""
    pp = getattr(model, 'data_preprocessor', None)
    if not hasattr(pp, 'noised_channels'):
        raise TypeError(
            'label usage needs a LAD teacher whose model.data_preprocessor '
            'is a LabelNoisingDataPreprocessor, got '
            f'{type(pp).__name__} ({type(model).__name__})')


def predict_logits(model, inputs: torch.Tensor) -> torch.Tensor:
    """Decode logits of ``model`` upsampled to the input size (N, C, H, W)."""
    logits = model._forward(inputs)
    return resize(logits.float(), size=inputs.shape[-2:], mode='bilinear',
                  align_corners=getattr(model, 'align_corners', False))


def prepare_images(model, batches: Iterable[dict]) -> List[dict]:
    """Preprocess batches and draw two noised label channels per image.

    Args:
        model: The LAD teacher (see :func:`check_teacher`).
        batches (Iterable[dict]): Collated test-pipeline batches.

    Returns:
        list[dict]: Per batch ``image`` (N, 3, H, W) normalised, ``channel``
        and ``redrawn`` (N, 1, H, W) independent noise draws, ``labels``
        (N, H, W) aligned with the input (padding 255) and ``valid``
        (N, H, W), the pixels inside ``img_shape`` (not padding).
    """
    check_teacher(model)
    pp = model.data_preprocessor
    items = []
    with torch.no_grad():
        for data in batches:
            out = pp(data, False)
            image, samples = out['inputs'][:, :-1], out['data_samples']
            channel, redrawn = pp.noised_channels(samples, image.shape, 2,
                                                  training=False)
            valid = torch.zeros(image.shape[0], *image.shape[-2:],
                                dtype=torch.bool, device=image.device)
            for i, sample in enumerate(samples):
                h, w = sample.metainfo.get('img_shape', image.shape[-2:])
                valid[i, :h, :w] = True
            labels = pp.batch_labels(samples, image.shape[-2:], False)
            items.append(dict(image=image, channel=channel, redrawn=redrawn,
                              labels=labels, valid=valid))
    return items


def attribution(model, image, channel, valid, num_classes: int,
                method: str = 'grad_x_input', steps: int = 8) -> np.ndarray:
    """Absolute attribution to the image and the label, per predicted class.

    For each class ``c`` predicted somewhere, the objective is the sum of
    logit ``c`` over the valid pixels predicted as ``c``; its gradient times
    the input (integrated gradients: the gradient averaged over ``steps``
    midpoints of the path from a zero input) is summed in absolute value
    over the valid input pixels of channels 0-2 and of channel 3.

    Args:
        model: The LAD teacher, in eval mode.
        image (Tensor): (N, 3, H, W) normalised images.
        channel (Tensor): (N, 1, H, W) label channel.
        valid (Tensor): (N, H, W) bool, pixels that are not padding.
        num_classes (int): Number of classes of the decode head.
        method (str): One of :data:`METHODS`. Default: 'grad_x_input'.
        steps (int): Path steps of integrated gradients. Default: 8.

    Returns:
        np.ndarray: (3, num_classes) float64: image attribution, label
        attribution and number of predicted pixels per class.
    """
    if method not in METHODS:
        raise ValueError(f'label usage: method must be one of {METHODS}, '
                         f'got {method!r}')
    if method == 'integrated_gradients' and steps < 1:
        raise ValueError(f'label usage: steps must be >= 1, got {steps}')
    x = torch.cat([image, channel], dim=1).detach()
    with torch.no_grad():
        pred = predict_logits(model, x).argmax(1)
    classes = torch.unique(pred[valid]).tolist()
    masks = {c: (pred == c) & valid for c in classes}
    scales = [1.0] if method == 'grad_x_input' else [
        (s + 0.5) / steps for s in range(steps)]
    grads = {c: torch.zeros_like(x) for c in classes}
    for a in scales:
        xa = (x * a).requires_grad_(True)
        logits = predict_logits(model, xa)
        for i, c in enumerate(classes):
            objective = logits[:, c][masks[c]].sum()
            g, = torch.autograd.grad(objective, xa,
                                     retain_graph=i < len(classes) - 1)
            grads[c] += g / len(scales)
    out = np.zeros((3, num_classes), dtype=np.float64)
    keep = valid[:, None].float()
    for c in classes:
        attr = (grads[c] * x).abs() * keep
        out[:, c] = [attr[:, :3].sum().item(), attr[:, 3].sum().item(),
                     masks[c].sum().item()]
    return out


def ablation_inputs(item: dict, other: Optional[torch.Tensor]) -> dict:
    """The 4-channel inputs of every ablation (see :data:`CONDITIONS`).

    Args:
        item (dict): One entry of :func:`prepare_images`.
        other (Tensor, optional): Another image's label channel (its first
            image, resized nearest); ``None`` leaves that condition out.

    Returns:
        dict[str, Tensor]: Condition key to (N, 4, H, W) input.
    """
    image, channel = item['image'], item['channel']
    keep = item['valid'][:, None].float()
    mean = (image * keep).sum((2, 3), keepdim=True) / keep.sum(
        (2, 3), keepdim=True).clamp(min=1)
    inputs = {
        'label_zeroed': torch.cat([image, torch.zeros_like(channel)], 1),
        'label_redrawn': torch.cat([image, item['redrawn']], 1),
        'image_mean': torch.cat([mean.expand_as(image) * keep, channel], 1),
    }
    if other is not None:  # (1, 1, h, w) of another batch of one image
        other = F.interpolate(other[:1], size=image.shape[-2:],
                              mode='nearest').expand_as(channel)
        inputs['label_other_image'] = torch.cat([image, other], 1)
    return {k: inputs[k] for k in CONDITIONS if k in inputs}


def _accumulate(stats: dict, logp, full, item: dict,
                num_classes: int) -> None:
    """Add one batch to a condition's IoU areas, KL sum and kept pixels."""
    pred, valid = logp.argmax(1), item['valid']
    for b in range(pred.shape[0]):
        areas = IoUMetric.intersect_and_union(pred[b], item['labels'][b],
                                              num_classes, 255)
        old = stats.get('areas')
        stats['areas'] = list(areas) if old is None else [
            s + a for s, a in zip(old, areas)]
    kl = (full.exp() * (full - logp)).sum(1)[valid]
    stats['kl'] = stats.get('kl', 0.0) + kl.sum().item()
    kept = (pred == full.argmax(1))[valid]
    stats['kept'] = stats.get('kept', 0.0) + kept.sum().item()


def _miou(areas: list) -> float:
    """mIoU ×100 of summed (intersect, union, pred, label) areas."""
    metrics = IoUMetric.total_area_to_metrics(*areas, metrics=['mIoU'])
    return float(np.nanmean(metrics['IoU']) * 100)


def label_usage(model, batches: Iterable[dict], num_classes: int,
                class_names: Optional[List[str]] = None,
                method: str = 'grad_x_input', steps: int = 8,
                progress=None) -> Dict:
    """Attribution shares and ablations of a LAD teacher on some images.

    Args:
        model: The LAD teacher (weights loaded).
        batches (Iterable[dict]): Collated validation batches.
        num_classes (int): Classes of the decode head.
        class_names (list[str], optional): Names for the per-class rows.
        method (str): Attribution method, one of :data:`METHODS`.
        steps (int): Integrated-gradients steps.
        progress (callable, optional): Called with ``(i, n)`` per batch.

    Returns:
        dict: JSON-ready ``attribution`` (overall, ``per_class``),
        ``ablation`` (``full`` and :data:`CONDITIONS`) and
        :func:`~.label_usage_verdict.verdict`'s.
    """
    model.eval()
    items = prepare_images(model, batches)
    if not items:
        raise ValueError('label usage: no images (empty dataloader?)')
    names = list(class_names or [str(c) for c in range(num_classes)])
    attr = np.zeros((3, num_classes), dtype=np.float64)
    stats: Dict[str, dict] = {}
    for i, item in enumerate(items):
        if progress is not None:
            progress(i, len(items))
        attr += attribution(model, item['image'], item['channel'],
                            item['valid'], num_classes, method, steps)
        other = items[i - 1]['channel'] if len(items) > 1 else None
        cases = dict(full=torch.cat([item['image'], item['channel']], 1),
                     **ablation_inputs(item, other))
        with torch.no_grad():
            logp = {k: torch.log_softmax(predict_logits(model, v), 1)
                    for k, v in cases.items()}
        for key, lp in logp.items():
            _accumulate(stats.setdefault(key, {}), lp, logp['full'], item,
                        num_classes)
    pixels = sum(item['valid'].sum().item() for item in items)
    ablation = {
        key: dict(mIoU=_miou(s['areas']),
                  kl_x100=max(100 * s['kl'] / pixels, 0.0),  # rounding
                  agreement=s['kept'] / pixels)
        for key, s in stats.items()
    }
    per_class = [
        dict(name=names[c], pixels=int(attr[2, c]), image=attr[0, c],
             label=attr[1, c], label_share=_share(attr[0, c], attr[1, c]))
        for c in range(num_classes)
    ]
    total = attr[:2].sum(1)
    result = dict(
        images=sum(item['image'].shape[0] for item in items), method=method,
        steps=steps if method == 'integrated_gradients' else None,
        attribution=dict(image=total[0], label=total[1],
                         label_share=_share(total[0], total[1]),
                         per_class=per_class),
        ablation=ablation)
    result.update(verdict(result))
    return result


def _share(image: float, label: float) -> Optional[float]:
    return float(label / (image + label)) if image + label > 0 else None
