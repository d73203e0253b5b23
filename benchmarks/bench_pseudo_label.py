# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-labelling benchmark: throughput, time outside the network, memory.

    python benchmarks/bench_pseudo_label.py [--images 16] [--size 128 256]
        [--procs 1 2] [--no-large] [--scales S ...] [--json OUT]

Part 1 runs ``tools/pseudo_label.py`` (demo FCN-R18-w16 teacher with random
weights, the demo_split extra dataset, 7 scales x 2 flips, ontology priors)
on 1 process and on N processes (``torchrun``, gloo on CPU) and reports, from
the run's manifest: images/s (hook start to end, i.e. without process start
and model building), the share of process time *outside* the network's
forward passes (data loading with the 14 augmented copies, resizing, softmax
averaging, ontology, PNG writing), split into TTA/ontology and writing, and
the peak resident memory of the largest rank.

Part 2 pseudo-labels one 1920x1208 image with a 63-class teacher (the
Mapillary Vistas class count of the paper) at the same 14 augmentations, in
a fresh process each, with the direct resize (default) and MMSeg's route, and
reports the peak resident memory; for comparison it prints what holding all
14 augmented soft predictions at once (``SegTTAModel.merge_preds``'s input)
would take.

The cost of region pooling in the same runs: ``bench_region_pooling.py``.
"""
import argparse
import sys

from common import environment, format_environment, markdown_table, write_json
from large_image_runs import run_large, write_large_case
from pseudo_label_runs import SCALES, add_run_args, demo_setup, run_tool


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--procs', type=int, nargs='+', default=[1, 2])
    return add_run_args(parser).parse_args(argv)


FORWARD_TARGET = 0.90  # share of process time in the network's forward


def throughput_summary(run: dict) -> dict:
    """Images/s and time shares of one run (manifest entry + timer)."""
    proc_seconds = run['seconds'] * run['nproc']
    return dict(
        images_per_s=run['written'] / run['seconds'],
        in_forward=run['forward_seconds'] / proc_seconds,
        tta_merge_ontology_writing=(run['iteration_seconds'] -
                                    run['forward_seconds']) / proc_seconds,
        data_loading=1 - run['iteration_seconds'] / proc_seconds)


def throughput_table(runs) -> str:
    """Markdown table of the throughput runs."""
    rows = []
    for r in runs:
        t = throughput_summary(r)
        rows.append([
            r['nproc'], r['threads_per_process'], r['written'],
            f"{t['images_per_s']:.2f}", f"{t['in_forward']:.1%}",
            f"{t['tta_merge_ontology_writing']:.1%}",
            f"{t['data_loading']:.1%}",
            f"{r['peak_rss_mb_max_rank']:.0f}",
            f"{r['wall_with_startup']:.1f}"
        ])
    return markdown_table([
        'processes', 'threads/proc', 'images', 'images/s',
        f'in forward (target >= {FORWARD_TARGET:.0%})',
        'TTA merge + ontology + writing', 'data loading + rest',
        'peak RSS/rank (MiB)',
        'wall incl. start (s)'
    ], rows)


LARGE_FORWARD_TARGET = 0.85
PEAK_TARGET_MB = 3000


def large_table(rows) -> str:
    """Markdown table of the large-image runs."""
    return markdown_table([
        'resize route', 'seconds', 'of which forward',
        f'in forward (target >= {LARGE_FORWARD_TARGET:.0%})',
        f'peak RSS (MiB, target <= {PEAK_TARGET_MB})',
        'RSS before the image (MiB)'
    ], [[r['route'], f"{r['seconds']:.1f}", f"{r['forward_seconds']:.1f}",
         f"{r['forward_seconds'] / r['seconds']:.1%}", r['peak_rss_mb'],
         r['baseline_rss_mb']] for r in rows])


def main(argv=None):
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    results = dict(environment=environment(), threads=args.threads)
    print(format_environment(results['environment']))
    work, ckpt, data = demo_setup(args)
    runs = [
        run_tool(work, ckpt, data, n, args.threads, args.scales)
        for n in args.procs
    ]
    for run in runs:
        run.update(throughput_summary(run))
    results['throughput'] = runs
    scales = args.scales or SCALES
    print(f'\n### Pseudo-labelling throughput: {args.images} images of '
          f'{args.size[0]}x{args.size[1]}, FCN-R18-w16, 12 classes, '
          f'{len(scales)} scales x 2 flips, ontology priors\n')
    print(throughput_table(runs))
    if not args.no_large:
        h, w = args.large_size
        case = write_large_case(work, (h, w), args.large_classes)
        rows = run_large(case, args.large_classes, ['direct', 'mmseg'],
                         args.threads)
        results['large'] = rows
        all_at_once = 2 * len(SCALES) * args.large_classes * h * w * 4
        print(f'\n### One {w}x{h} image, {args.large_classes} classes, '
              f'{len(SCALES)} scales x 2 flips (fresh process each)\n')
        print(large_table(rows))
        print(f'\nAll 14 soft predictions at full resolution at once (what '
              f'SegTTAModel.merge_preds receives) would be '
              f'{all_at_once / 2**30:.1f} GiB of float32 alone.')
    write_json(args.json, results)
    return results


if __name__ == '__main__':
    main()
