# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Training-step cost of the dual-path LAD teacher against one plain path.

    python benchmarks/bench_dual_path.py [--config CFG] [--batch 4] \
        [--size 128 128] [--repeats 20] [--warmup 2] [--threads N] \
        [--device cpu] [--json OUT]

Measured in one run, interleaved round by round, on a synthetic batch
(random images and labels): a whole training step (preprocessing, forward,
losses, backward, SGD step of the config's optimizer) of

* ``EncoderDecoder, one path``: the baseline. The teacher config with
  ``type='EncoderDecoder'`` (``CascadeEncoderDecoder`` for a cascade
  teacher) and the LAD-only arguments removed: the *same* network (4-channel
  backbone, same heads) with the same ``LabelNoisingDataPreprocessor``, run
  once per step. This is the fair baseline for "the compute doubles": both
  sides read the same 4-channel input, so the ratio is the cost of the
  second path alone (its forward and backward, its noise draw, its losses
  and the symmetric consistency loss). Against an RGB ``EncoderDecoder`` the
  only further difference would be the stem's fourth input channel and one
  noise draw (``bench_label_noise.py``);
* ``dual path, two-pass``: ``DualPathConsistencySegmentor`` with
  ``batched=False`` (the default: the backbone runs once per path);
* ``dual path, batched``: ``batched=True`` (the backbone runs once on the
  2B images of both paths; BatchNorm then normalises over both paths).

Targets: two-pass / plain <= 2.0, batched / plain < 2.0.
"""
import argparse
import copy

from common import (add_common_args, finish, interleaved_times, medians,
                    ratio, set_threads)
from segmentors import (build_segmentor, load_config, set_input_size,
                        synthetic_batch, train_step_fn)

CONFIG = 'configs/lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
PLAIN_TYPES = {
    'DualPathConsistencySegmentor': 'EncoderDecoder',
    'DualPathCascadeSegmentor': 'CascadeEncoderDecoder',
}
LAD_ARGS = ('consistency_weight', 'consistency_tau', 'batched', 'dual_path',
            'label_channel_init', 'label_channel_std')
PLAIN = 'EncoderDecoder, one path'
TWO_PASS = 'dual path, two-pass'
BATCHED = 'dual path, batched'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CONFIG,
                        help='LAD teacher config (a dual-path segmentor)')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--size', type=int, nargs=2, default=[128, 128],
                        metavar=('H', 'W'))
    return add_common_args(parser, repeats=20).parse_args(argv)


def plain_model_cfg(model_cfg, config: str):
    """The teacher's network as the plain MMSeg segmentor it extends."""
    if model_cfg.type not in PLAIN_TYPES:
        raise ValueError(
            f'{config}: model type {model_cfg.type} is not a dual-path LAD '
            f'teacher (one of {sorted(PLAIN_TYPES)})')
    plain = copy.deepcopy(model_cfg)
    plain.type = PLAIN_TYPES[model_cfg.type]
    for key in LAD_ARGS:
        plain.pop(key, None)
    return plain


def main(argv=None) -> dict:
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(argv)
    set_threads(args.threads)
    cfg = load_config(args.config)
    set_input_size(cfg.model, args.size)
    model_cfgs = {
        PLAIN: plain_model_cfg(cfg.model, args.config),
        TWO_PASS: dict(cfg.model, batched=False),
        BATCHED: dict(cfg.model, batched=True),
    }
    data = synthetic_batch(args.batch, args.size,
                           cfg.model.data_preprocessor.num_classes)
    variants = {}
    for name, model_cfg in model_cfgs.items():
        model = build_segmentor(model_cfg, args.device)
        variants[name] = train_step_fn(model, cfg.optim_wrapper, data)
    times = interleaved_times(variants, args.repeats, args.warmup,
                              args.device)
    med = medians(times)
    ratios = [
        ratio(f'{TWO_PASS} / plain', med[TWO_PASS] / med[PLAIN], 2.0),
        ratio(f'{BATCHED} / plain', med[BATCHED] / med[PLAIN], 2.0,
              strict=True),
        ratio('batched / two-pass', med[BATCHED] / med[TWO_PASS]),
    ]
    settings = dict(config=args.config, batch=args.batch,
                    size=tuple(args.size),
                    baseline=f'{model_cfgs[PLAIN].type}, 4-channel input')
    return finish('Dual-path LAD teacher step vs the plain segmentor',
                  settings, times, ratios, args)


if __name__ == '__main__':
    main()
