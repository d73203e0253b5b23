# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Tables and chart panels of the unification pipeline's results.

``tools/unify_demo.py`` collects, per seed, ``models`` (row name ->
``'<set>/mIoU'`` -> value) and ``pseudo_labels`` (``'<extra>/it<i>/<kind>'``
-> quality, ``kind`` ``priors`` or ``no-priors``); these functions turn a
list of them (one per seed) into Markdown tables (mean ± std over seeds)
and into the panels of
:func:`mmseg_unify.visualization.results_chart.save_results_figure`.
"""
from typing import Dict, List, Sequence

from .experiment import summary
from .tta_config import describe_tta


def models_table(results: List[dict], seeds: Sequence[int],
                 sets: Sequence[str]) -> str:
    """Markdown table: one row per model, mIoU per evaluation set.

    Args:
        results (list[dict]): Per-seed results.
        seeds (Sequence[int]): The seeds (for the header).
        sets (Sequence[str]): Evaluation sets; the first is the source's
            val split, the others extras' val splits scored against their
            fine ground truth.
    """
    head = [f'{sets[0]} val'] + [f'{s} val (fine GT)' for s in sets[1:]]
    lines = [
        f'| model (seeds {", ".join(map(str, seeds))}) | ' +
        ' | '.join(f'{h} mIoU' for h in head) + ' |',
        '| --- |' + ' ---: |' * len(sets)
    ]
    for name in results[0]['models']:
        cells = [
            summary([r['models'][name][f'{s}/mIoU'] for r in results])
            for s in sets
        ]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def quality_keys(results: List[dict]) -> List[str]:
    """``'<extra>/it<i>'`` of every pseudo-label folder pair, sorted."""
    return sorted({k.rsplit('/', 1)[0] for k in results[0]['pseudo_labels']})


def quality_values(results: List[dict], key: str, field: str) -> List[float]:
    """One quality field (in %) of one folder over the seeds."""
    return [100 * r['pseudo_labels'][key][field] for r in results]


def quality_table(results: List[dict], tta: dict) -> str:
    """Markdown table of the pseudo-label quality (train splits against the
    hidden fine truth), with and without priors, per extra and iteration.

    Args:
        results (list[dict]): Per-seed results.
        tta (dict): ``scales`` and ``flip`` of the pseudo-labelling.
    """
    lines = [
        f'| extra (train split), TTA: {describe_tta(tta)} | mIoU with '
        'priors | mIoU without priors (Naive Student) | pixel acc. with / '
        'without | ignored pixels with priors |',
        '| --- | ---: | ---: | ---: | ---: |'
    ]

    def pct(key: str, field: str) -> str:
        return summary(quality_values(results, key, field))

    for key in quality_keys(results):
        extra, it = key.split('/')
        with_, without = f'{key}/priors', f'{key}/no-priors'
        lines.append(
            f'| {extra}, {it.replace("it", "it. ")} | '
            f'{pct(with_, "miou")} | {pct(without, "miou")} | '
            f'{pct(with_, "accuracy")} / {pct(without, "accuracy")} | '
            f'{pct(with_, "ignored_share")} % |')
    return '\n'.join(lines)


def figure_panels(results: List[dict], sets: Sequence[str]) -> List[dict]:
    """The two tables as chart panels: models (a series per evaluation
    set) and pseudo-labels (with / without priors)."""
    models: Dict[str, Dict[str, List[float]]] = {}
    for s in sets:
        models[f'{s} val'] = {
            name: [r['models'][name][f'{s}/mIoU'] for r in results]
            for name in results[0]['models']}
    labels: Dict[str, Dict[str, List[float]]] = {
        'with priors': {}, 'without priors (Naive Student)': {}}
    for key in quality_keys(results):
        row = key.replace('/it', ', it. ')
        labels['with priors'][row] = quality_values(
            results, f'{key}/priors', 'miou')
        labels['without priors (Naive Student)'][row] = quality_values(
            results, f'{key}/no-priors', 'miou')
    return [
        dict(title='Models, single scale', xlabel='mIoU (%)', series=models),
        dict(title='Pseudo-labels of the extras (train) against their '
             'hidden fine truth', xlabel='mIoU (%)', series=labels)]
