# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Generate the built-in demo data (configs also do it on first use).

    python tools/generate_demo_data.py [--root data/demo] [--seed 0] [--force]
"""
import argparse
import time

from mmseg_unify.datasets.demo_data import DEFAULT_COUNTS, generate_demo_data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default='data/demo')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if matching data exists')
    args = parser.parse_args()
    start = time.time()
    generate_demo_data(args.root, seed=args.seed, force=args.force,
                       progress=True)
    total = sum(sum(c.values()) for c in DEFAULT_COUNTS.values())
    print(f'demo data ({total} images) ready in {args.root} '
          f'({time.time() - start:.1f}s)')


if __name__ == '__main__':
    main()
