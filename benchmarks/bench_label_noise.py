# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Cost of LAD's label noising within a LAD teacher's training step.

    python benchmarks/bench_label_noise.py [--config CFG] [--batch 4] \
        [--size 128 128] [--repeats 30] [--warmup 2] [--threads N] \
        [--device cpu] [--json OUT]

Measured in one run, interleaved round by round, on a synthetic batch
(random images and labels, ``--batch`` images of ``--size``):

* ``teacher train step``: a whole training step (preprocessing with the
  noised label channel, both paths forward, losses, backward, SGD step) of
  the LAD teacher of ``--config`` (default: the demo FCN-R18-w16 teacher);
* ``label noising, one draw``: what one noised label channel adds to a
  step: ``LabelNoisingDataPreprocessor.noised_channels`` (stack the batch's
  labels, class-wise gather, pixel noise) and the concatenation to the
  image.

The share is ``draws per step x noising / step``, with two draws per step
for the dual-path teacher (one per path) and one for a single-path teacher.
Target: under 1 %.
"""
import argparse

import torch

from common import (add_common_args, finish, interleaved_times, medians,
                    ratio, set_threads)
from segmentors import (build_segmentor, load_config, set_input_size,
                        synthetic_batch, train_step_fn)

CONFIG = 'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
TARGET = 0.01


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config', default=CONFIG,
        help='LAD teacher config (with LabelNoisingDataPreprocessor)')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--size', type=int, nargs=2, default=[128, 128],
                        metavar=('H', 'W'))
    return add_common_args(parser, repeats=30).parse_args(argv)


def noising_fn(model, data: dict):
    """One noised label channel of ``data``'s batch, joined to the image."""
    pp = model.data_preprocessor
    out = pp(data, True)
    inputs, samples = out['inputs'][:, :-1], out['data_samples']

    def noise() -> torch.Tensor:
        channel = pp.noised_channels(samples, inputs.shape, 1, True)[0]
        return torch.cat([inputs, channel], dim=1)

    return noise


def main(argv=None) -> dict:
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(argv)
    set_threads(args.threads)
    cfg = load_config(args.config)
    set_input_size(cfg.model, args.size)
    model = build_segmentor(cfg.model, args.device)
    if not hasattr(model.data_preprocessor, 'noised_channels'):
        raise ValueError(f'{args.config}: the model has no '
                         'LabelNoisingDataPreprocessor')
    data = synthetic_batch(args.batch, args.size,
                           model.data_preprocessor.num_classes)
    variants = {
        'teacher train step': train_step_fn(model, cfg.optim_wrapper, data),
        'label noising, one draw': noising_fn(model, data),
    }
    times = interleaved_times(variants, args.repeats, args.warmup,
                              args.device)
    draws = 2 if getattr(model, 'dual_path', False) else 1
    med = medians(times)
    share = draws * med['label noising, one draw'] / med['teacher train step']
    ratios = [ratio(f'noising ({draws} draw(s)) / teacher step', share,
                    TARGET, strict=True, unit='%')]
    settings = dict(config=args.config, model=type(model).__name__,
                    batch=args.batch, size=tuple(args.size),
                    draws_per_step=draws)
    return finish('Label noising in a LAD teacher training step', settings,
                  times, ratios, args)


if __name__ == '__main__':
    main()
