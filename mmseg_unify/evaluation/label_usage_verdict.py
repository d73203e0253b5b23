# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Reading a :func:`~.label_usage.label_usage` result: its verdict.

:func:`verdict` reads the attribution and the ablation: ``'label
dominates'`` (the shortcut of the LAD paper's Tab. 9 clean-label row),
``'label unused'``, ``'uses both'`` or ``'inconclusive'``, with a warning
for the verdicts that need one; :func:`summary_line` puts it in one line.
"""
from typing import Dict, Optional

THRESHOLDS = dict(
    dominates_share=0.8,  # attribution: label share at least this
    unused_share=0.05,  # attribution: label share at most this
    image_unused_agreement=0.95,  # image mean keeps >= this of the pixels
    label_unused_agreement=0.98,  # label zeroed keeps >= this of the pixels
    label_unused_miou_drop=1.0)  # ... and loses at most this much mIoU
ADVICE = {  # the warning of each verdict that needs one
    'label dominates': 'The label dominates: the teacher maps its label input '
    'to its output and hardly looks at the image (shortcut learning, LAD '
    'paper §4.2 and the clean-label row of Tab. 9), so a student learns '
    'little from it. A clean or barely noised label: noise it (class-wise '
    'noise on, beta about 0.01); an image share of 0.0%: the image does not '
    'reach the network (e.g. a huge model.data_preprocessor.std).',
    'label unused': 'The label channel is unused: the teacher predicts from '
    'the image alone, so it is no better than its RGB twin and distilling it '
    'is plain CWD (see docs/en/lad_diagnostics.md for what to try).',
    'inconclusive': 'The attribution and the ablation disagree ({} vs {}); '
    'look at both tables.',
}


def verdict(result: Dict, thresholds: Optional[Dict] = None) -> Dict:
    """Read the two views of a :func:`~.label_usage.label_usage` result.

    Attribution: ``label_share >= dominates_share`` → label dominates,
    ``<= unused_share`` → label unused. Ablation: the image replaced by its
    mean keeps ``>= image_unused_agreement`` of the pixels → label dominates;
    the label zeroed keeps ``>= label_unused_agreement`` of them and loses at
    most ``label_unused_miou_drop`` mIoU → label unused. Otherwise each view
    says ``'uses both'``. One decisive view wins over ``'uses both'``; two
    opposite ones give ``'inconclusive'``.

    Args:
        result (dict): With ``attribution`` and ``ablation``.
        thresholds (dict, optional): Overrides of :data:`THRESHOLDS`.

    Returns:
        dict: ``views``, ``verdict`` and ``warnings`` (plain sentences).
    """
    t = dict(THRESHOLDS, **(thresholds or {}))
    share = result['attribution']['label_share'] or 0.0
    abl = result['ablation']
    drop = abl['full']['mIoU'] - abl['label_zeroed']['mIoU']
    keeps_mean = abl['image_mean']['agreement']
    keeps_zero = abl['label_zeroed']['agreement']
    by_attr = ('label dominates' if share >= t['dominates_share'] else
               'label unused' if share <= t['unused_share'] else 'uses both')
    by_abl = ('label dominates'
              if keeps_mean >= t['image_unused_agreement'] else
              'label unused' if keeps_zero >= t['label_unused_agreement']
              and drop <= t['label_unused_miou_drop'] else 'uses both')
    views = {by_attr, by_abl} - {'uses both'}
    final = 'uses both' if not views else views.pop() if len(views) == 1 \
        else 'inconclusive'
    facts = (f'{share:.1%} of the attribution is on the label channel; '
             f'zeroing the label keeps {keeps_zero:.1%} of the predicted '
             f'pixels (mIoU {-drop:+.2f}), replacing the image by its mean '
             f'keeps {keeps_mean:.1%}.')
    warnings = [ADVICE[final].format(by_attr, by_abl) + ' ' + facts] \
        if final in ADVICE else []
    return dict(views=dict(attribution=by_attr, ablation=by_abl),
                verdict=final, warnings=warnings)


def summary_line(result: Dict) -> str:
    """One line for other tables, e.g. ``label unused (label share 2.1%,
    zero label keeps 99.6% px, image mean keeps 8.0% px)``."""
    abl = result['ablation']
    return (f"{result['verdict']} (label share "
            f"{result['attribution']['label_share'] or 0.0:.1%}, zero label "
            f"keeps {abl['label_zeroed']['agreement']:.1%} px, image mean "
            f"keeps {abl['image_mean']['agreement']:.1%} px)")
