# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Region pooling benchmark: its share of a pseudo-labelling run.

    python benchmarks/bench_region_pooling.py [--images 16] [--size 128 256]
        [--no-large] [--scales S ...] [--region-weight 1]
        [--region-rule ambiguous-no-void] [--region-keep CLASS ...]
        [--json OUT]

Prices region pooling (``docs/en/region_pooling.md``) in the runs of
``bench_pseudo_label.py``: a 1-process run of ``tools/pseudo_label.py`` on
the demo_split extra dataset and the direct route on one 1920x1208 image
with a 63-class teacher, each without and with pooling (fresh processes).
It reports the time spent inside ``pool_regions_`` (component labelling,
region means, blend), measured in the same run, as a share of the whole
run (target < 5 %), and the peak resident memory without and with it.
``--region-keep`` names demo_urban classes for the demo run; the large case
keeps as many of its classes (``s0``, ``s1``, ...), so that the extra
argmax of the keep rule is priced too.
"""
import argparse
import sys

from common import environment, format_environment, markdown_table, write_json
from large_image_runs import run_large, write_large_case
from pseudo_label_runs import SCALES, add_run_args, demo_setup, run_tool


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--region-weight', type=float, default=1.0,
                        help='region pooling weight, in (0, 1]')
    parser.add_argument('--region-rule', default='ambiguous-no-void')
    parser.add_argument('--region-keep', nargs='+', default=[])
    args = add_run_args(parser).parse_args(argv)
    if not 0 < args.region_weight <= 1:
        parser.error(f'--region-weight must be in (0, 1], got '
                     f'{args.region_weight:g}')
    return args


POOLING_TARGET = 0.05  # share of a pseudo-labelling run


def pooling_table(rows) -> str:
    """Markdown table of the region pooling cost.

    Args:
        rows (list[dict]): ``case``, ``seconds`` (the run with pooling),
            ``pooling_seconds`` (inside it), ``plain_seconds`` (the same
            run without pooling, another process), ``peak_rss_mb`` and
            ``plain_peak_rss_mb``.
    """
    return markdown_table([
        'case', 'run with pooling (s)', 'of which pooling (s)',
        f'pooling share (target < {POOLING_TARGET:.0%})',
        'same run without pooling (s)', 'peak RSS with / without (MiB)'
    ], [[r['case'], f"{r['seconds']:.2f}", f"{r['pooling_seconds']:.3f}",
         f"{r['pooling_seconds'] / r['seconds']:.2%}",
         f"{r['plain_seconds']:.2f}",
         f"{r['peak_rss_mb']:.0f} / {r['plain_peak_rss_mb']:.0f}"]
        for r in rows])


def demo_row(args, work, ckpt, data, region) -> dict:
    """The demo_split case: one process, without and then with pooling."""
    plain = run_tool(work, ckpt, data, 1, args.threads, args.scales)
    pooled = run_tool(work, ckpt, data, 1, args.threads, args.scales, region)
    scales = args.scales or SCALES
    return dict(
        case=f'{args.images} demo_split images, {len(scales)} scales x '
        '2 flips, 1 process', seconds=pooled['seconds'],
        pooling_seconds=pooled['pooling_seconds'],
        plain_seconds=plain['seconds'],
        peak_rss_mb=pooled['peak_rss_mb_max_rank'],
        plain_peak_rss_mb=plain['peak_rss_mb_max_rank'])


def large_row(args, work, region) -> dict:
    """The large case: the direct route, without and then with pooling."""
    h, w = args.large_size
    case = write_large_case(work, (h, w), args.large_classes)
    plain, pooled = run_large(case, args.large_classes,
                              ['direct', 'direct+pool'], args.threads, region)
    return dict(
        case=f'one {w}x{h} image, {args.large_classes} classes, '
        f'{len(SCALES)} scales x 2 flips', seconds=pooled['seconds'],
        pooling_seconds=pooled['pooling_seconds'],
        plain_seconds=plain['seconds'], peak_rss_mb=pooled['peak_rss_mb'],
        plain_peak_rss_mb=plain['peak_rss_mb'])


def main(argv=None):
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    region = dict(weight=args.region_weight, rule=args.region_rule,
                  keep=args.region_keep)
    results = dict(environment=environment(), threads=args.threads)
    print(format_environment(results['environment']))
    work, ckpt, data = demo_setup(args)
    rows = [demo_row(args, work, ckpt, data, region)]
    if not args.no_large:
        rows.append(large_row(args, work, region))
    results['region_pooling'] = dict(region, rows=rows)
    keep = f', keep {len(region["keep"])} classes' if region['keep'] else ''
    print(f'\n### Region pooling (w={region["weight"]:g}, rule '
          f'{region["rule"]}{keep}): time inside pool_regions_ in the '
          'same run\n')
    print(pooling_table(rows))
    write_json(args.json, results)
    return results


if __name__ == '__main__':
    main()
