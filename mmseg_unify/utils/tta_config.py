# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Reading and setting the scales and flips of a ``TestTimeAug`` pipeline.

The one place that knows how MMSeg's ``tta_pipeline`` encodes test-time
augmentation: ``tools/pseudo_label.py`` sets it from ``--scales`` /
``--no-flip``, the pseudo-label manifest records it, and the pipelines
describe it in their tables.
"""
import copy
from typing import List, Optional, Sequence

FLIPS = [
    dict(type='RandomFlip', prob=0., direction='horizontal'),
    dict(type='RandomFlip', prob=1., direction='horizontal')
]
PAPER_SCALES = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]


def _tta_step(pipeline: Sequence[dict]) -> Optional[dict]:
    for step in pipeline or []:
        if step.get('type') == 'TestTimeAug':
            return step
    return None


def tta_summary(pipeline: Sequence[dict]) -> dict:
    """Scales and flip of the ``TestTimeAug`` in a pipeline config.

    Args:
        pipeline (Sequence[dict]): A dataset pipeline config.

    Returns:
        dict: ``scales`` (each ``Resize``'s ``scale_factor``, else its
        ``scale``) and ``flip`` (whether a flipped copy is used); empty
        without ``TestTimeAug``.
    """
    step = _tta_step(pipeline)
    if step is None:
        return {}
    scales, flip = [], False
    for group in step.get('transforms', []):
        for t in group:
            if t.get('type') == 'Resize':
                value = t.get('scale_factor', t.get('scale'))
                scales.append(list(value) if isinstance(value, tuple)
                              else value)
            elif t.get('type') == 'RandomFlip' and t.get('prob', 0) > 0:
                flip = True
    return dict(scales=scales, flip=flip)


def check_scales(scales: Optional[Sequence[float]],
                 flag: str = '--scales') -> None:
    """Refuse scale factors that are not positive.

    Raises:
        ValueError: Naming the flag and the values.
    """
    bad = [s for s in scales or [] if not s > 0]
    if bad:
        raise ValueError(f'{flag}: every scale factor must be > 0, got '
                         f'{", ".join(f"{s:g}" for s in bad)}')


def set_tta(pipeline: List[dict],
            scales: Optional[Sequence[float]] = None,
            flip: bool = True) -> List[dict]:
    """Set the scales and flips of the ``TestTimeAug`` step of a pipeline.

    Args:
        pipeline (list[dict]): Pipeline config (modified in place).
        scales (Sequence[float], optional): Scale factors (> 0); ``None``
            keeps the pipeline's.
        flip (bool): Keep a flipped copy of every scale.

    Returns:
        list[dict]: ``pipeline``.

    Raises:
        ValueError: Without a ``TestTimeAug`` step, or for scales <= 0.
    """
    check_scales(scales)
    step = _tta_step(pipeline)
    if step is None:
        raise ValueError('the tta_pipeline has no TestTimeAug step')
    groups = step['transforms']
    for i, group in enumerate(groups):
        kinds = {t.get('type') for t in group}
        if kinds == {'Resize'} and scales is not None:
            groups[i] = [
                dict(type='Resize', scale_factor=float(s), keep_ratio=True)
                for s in scales
            ]
        elif kinds == {'RandomFlip'}:
            groups[i] = copy.deepcopy(FLIPS if flip else FLIPS[:1])
    return pipeline


def describe_tta(summary: dict) -> str:
    """``'flip × scales 0.5, 1, 2'`` (or ``'no flip, ...'``) for tables.

    Args:
        summary (dict): ``scales`` and ``flip`` (:func:`tta_summary`).
    """
    text = 'scales ' + ', '.join(f'{s:g}' for s in summary['scales'])
    return ('flip × ' if summary['flip'] else 'no flip, ') + text
