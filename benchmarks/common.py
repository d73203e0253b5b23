# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What every benchmark script shares: the environment record, interleaved
timing, the result tables and the common command-line options.

A script builds its measured variants as argument-less callables, times them
with :func:`interleaved_times` (one run of each per round, so a change of
machine load hits all of them alike), turns the medians into ratios against
their targets with :func:`ratio` and hands everything to :func:`finish`,
which prints the environment and the Markdown tables and writes ``--json``.
"""
import argparse
import json
import os
import platform
import statistics
import time
from typing import Callable, Dict, List, Optional, Sequence

from mmseg_unify.utils.environment import cpu_model, module_version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def environment(device: str = 'cpu') -> dict:
    """Machine, library versions and thread count of this run.

    Args:
        device (str): The device the run measures on.

    Returns:
        dict: CPU model, core count, torch's intra-op thread count, the
        versions of python/torch/mmcv/mmengine/mmseg/mmseg_unify, the device
        (with the GPU's name) and the 1-minute load average (other work on
        the machine skews timings: recorded, not hidden).
    """
    import torch
    env = dict(
        cpu=cpu_model(),
        platform=platform.platform(),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        python=platform.python_version(),
        **{name: module_version(name) for name in (
            'torch', 'mmcv', 'mmengine', 'mmseg', 'mmseg_unify')},
        device=device,
        load_average_1min=round(os.getloadavg()[0], 2))
    if device.startswith('cuda'):
        env['gpu'] = torch.cuda.get_device_name(torch.device(device))
    return env


def format_environment(env: dict) -> str:
    """The environment record as one ``environment: key=value, ...`` line."""
    return 'environment: ' + ', '.join(f'{k}={v}' for k, v in env.items())


def add_common_args(parser: argparse.ArgumentParser, repeats: int,
                    warmup: int = 2) -> argparse.ArgumentParser:
    """Add ``--repeats``, ``--warmup``, ``--threads``, ``--device`` and
    ``--json`` with this script's defaults.

    Args:
        parser (ArgumentParser): The script's parser.
        repeats (int): Default number of measured rounds.
        warmup (int): Default number of unmeasured rounds first.

    Returns:
        ArgumentParser: The same parser.
    """
    parser.add_argument('--repeats', type=int, default=repeats,
                        help='measured rounds (each runs every variant once)')
    parser.add_argument('--warmup', type=int, default=warmup,
                        help='unmeasured rounds before them')
    parser.add_argument('--threads', type=int, default=None,
                        help="torch CPU threads (default: torch's; use 1 on "
                        'a machine shared with other jobs)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--json', metavar='PATH',
                        help='also write the results to this JSON file')
    return parser


def set_threads(threads: Optional[int]) -> None:
    """Set torch's intra-op thread count (``None``: leave torch's)."""
    if threads:
        import torch
        torch.set_num_threads(threads)


def synchronize(device: str) -> None:
    """Wait for queued GPU work (no-op on CPU)."""
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize(torch.device(device))


def interleaved_times(variants: Dict[str, Callable[[], object]],
                      repeats: int,
                      warmup: int = 2,
                      device: str = 'cpu') -> Dict[str, List[float]]:
    """Seconds of each variant, measured in interleaved rounds.

    Every round runs each variant once (A B C, B C A, C A B, ...: the order
    rotates so that none always runs first), so that slow drifts of the
    machine's load affect all variants alike.

    Args:
        variants (dict[str, Callable]): Name -> function to time.
        repeats (int): Measured rounds (>= 1).
        warmup (int): Unmeasured rounds first.
        device (str): Synchronised around each call when CUDA.

    Returns:
        dict[str, list[float]]: The ``repeats`` timings of every variant.
    """
    if repeats < 1:
        raise ValueError(f'benchmarks/common.py: repeats must be >= 1, '
                         f'got {repeats}')
    names = list(variants)
    times = {name: [] for name in names}
    for i in range(warmup + repeats):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            synchronize(device)
            start = time.perf_counter()
            variants[name]()
            synchronize(device)
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
    return times


def median_time(fn: Callable[[], object], repeats: int, warmup: int = 2,
                device: str = 'cpu') -> float:
    """Median seconds of one function (see :func:`interleaved_times`)."""
    return statistics.median(
        interleaved_times(dict(fn=fn), repeats, warmup, device)['fn'])


def medians(times: Dict[str, List[float]]) -> Dict[str, float]:
    """The median seconds of each variant."""
    return {name: statistics.median(ts) for name, ts in times.items()}


def time_rows(times: Dict[str, List[float]]) -> List[dict]:
    """One row per variant: median, minimum and maximum in milliseconds."""
    return [
        dict(variant=name, median_ms=statistics.median(ts) * 1e3,
             min_ms=min(ts) * 1e3, max_ms=max(ts) * 1e3, repeats=len(ts))
        for name, ts in times.items()
    ]


def ratio(name: str,
          value: float,
          limit: Optional[float] = None,
          strict: bool = False,
          unit: str = 'x') -> dict:
    """A ratio row with its target.

    Args:
        name (str): What the ratio is, e.g. ``'dual path / plain'``.
        value (float): Its measured value.
        limit (float, optional): The target's bound; ``None``: no target
            (reported for information).
        strict (bool): The target is ``value < limit`` rather than
            ``value <= limit``.
        unit (str): ``'x'`` (a ratio) or ``'%'`` (a share, ``value`` and
            ``limit`` as fractions).

    Returns:
        dict: ``name``, ``value``, ``target`` (text), ``met`` (bool or
        ``None`` without a target) and ``unit``.
    """
    if limit is None:
        target, met = '-', None
    else:
        target = ('< ' if strict else '<= ') + _fmt(limit, unit)
        met = bool(value < limit if strict else value <= limit)
    return dict(name=name, value=value, target=target, met=met, unit=unit)


def _fmt(value: float, unit: str) -> str:
    return f'{value:.2%}' if unit == '%' else f'{value:.3f}x'


def markdown_table(header: Sequence[str],
                   rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; columns after the first are right-aligned."""
    lines = ['| ' + ' | '.join(header) + ' |',
             '| --- |' + ' ---: |' * (len(header) - 1)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def format_tables(results: dict) -> str:
    """The timing table and the ratio table of a result dict."""
    times = markdown_table(
        ['variant', 'median (ms)', 'min (ms)', 'max (ms)', 'repeats'],
        [[r['variant'], f"{r['median_ms']:.2f}", f"{r['min_ms']:.2f}",
          f"{r['max_ms']:.2f}", r['repeats']] for r in results['times']])
    met = {True: 'yes', False: 'no', None: '-'}
    ratios = markdown_table(
        ['ratio (medians)', 'value', 'target', 'met'],
        [[r['name'], _fmt(r['value'], r['unit']), r['target'], met[r['met']]]
         for r in results['ratios']])
    return times + '\n\n' + ratios


def finish(title: str, settings: dict, times: Dict[str, List[float]],
           ratios: List[dict], args: argparse.Namespace,
           **extra) -> dict:
    """Collect, print and (``--json``) save the results of a script.

    Args:
        title (str): Heading of the printed tables.
        settings (dict): What was measured (sizes, configs, ...).
        times (dict[str, list[float]]): From :func:`interleaved_times`.
        ratios (list[dict]): From :func:`ratio`.
        args (Namespace): Parsed arguments (``device``, ``repeats``,
            ``warmup``, ``threads``, ``json``).
        **extra: More entries of the result (e.g. a correctness check).

    Returns:
        dict: ``environment``, ``settings``, ``times``, ``ratios`` and the
        ``extra`` entries.
    """
    settings = dict(settings, repeats=args.repeats, warmup=args.warmup,
                    threads=args.threads)
    results = dict(environment=environment(args.device), settings=settings,
                   times=time_rows(times), ratios=ratios, **extra)
    print(format_environment(results['environment']))
    print('settings: ' + ', '.join(f'{k}={v}' for k, v in settings.items()))
    print(f'\n### {title}\n')
    print(format_tables(results))
    write_json(args.json, results)
    return results


def write_json(path: Optional[str], results: dict) -> None:
    """Write ``results`` as indented JSON to ``path`` (``None``: skip)."""
    if path:
        with open(path, 'w') as f:
            json.dump(results, f, indent=2)
