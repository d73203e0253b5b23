# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Speed of ``ChannelWiseDivergence`` against a straightforward version.

    python benchmarks/bench_cwd.py [--shape 8 19 64 128] [--tau 4] \
        [--repeats 50] [--warmup 3] [--device cpu] [--threads N] \
        [--json OUT]

Times forward + backward (medians over ``--repeats`` interleaved rounds
after ``--warmup``) of

* ``reference``: the CWD formula written the obvious way with plain torch
  ops (softmax of the teacher, two log-softmaxes, ``sum(p_T * log p_T -
  p_T * log p_S)``), the way the paper (Shu et al., ICCV 2021) and MMRazor's
  docs state it, independent of our code;
* ``ChannelWiseDivergence``: ``mmseg_unify``'s loss (one log-softmax per
  side, the teacher side outside autograd).

Before timing, both are run in float64 on the same logits: values and
student gradients must agree to 1e-6 (relative), else the script stops.
The default shape is Cityscapes logits at 1/8 of a 512x1024 crop, batch 8,
19 classes. Ratio: ours / reference; target <= 1.0 (not slower). Timings
are wall-clock: run it on an otherwise idle machine (``--threads 1``
steadies CPU numbers).
"""
import argparse

import torch
import torch.nn.functional as F

from common import (add_common_args, finish, interleaved_times, medians,
                    ratio, set_threads)
from mmseg_unify.models.losses.cwd import ChannelWiseDivergence

TOLERANCE = 1e-6
REFERENCE = 'reference (plain torch ops)'
OURS = 'ChannelWiseDivergence'


def reference_cwd(preds_S, preds_T, tau=1.0, loss_weight=1.0):
    """CWD as the formula reads: per channel, softmax over H*W."""
    n, c, h, w = preds_S.shape
    preds_T = preds_T.detach()
    p_t = F.softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_p_t = F.log_softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_p_s = F.log_softmax(preds_S.reshape(-1, h * w) / tau, dim=1)
    loss = torch.sum(p_t * log_p_t - p_t * log_p_s) * tau**2
    return loss_weight * loss / (c * n)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shape', type=int, nargs=4,
                        default=[8, 19, 64, 128], metavar=('N', 'C', 'H', 'W'))
    parser.add_argument('--tau', type=float, default=4.0)
    return add_common_args(parser, repeats=50, warmup=3).parse_args(argv)


def value_and_grad(loss_fn, s, t):
    """Loss value and the student's gradient, on a fresh leaf."""
    s = s.detach().clone().requires_grad_(True)
    loss = loss_fn(s, t)
    loss.backward()
    return loss.item(), s.grad


def check_equal(ours, ref, s, t) -> dict:
    """Compare values and gradients in float64; raise beyond 1e-6.

    Returns:
        dict: Both values and the relative differences of value and
        gradient.
    """
    s, t = s.double(), t.double()
    v_ours, g_ours = value_and_grad(ours, s, t)
    v_ref, g_ref = value_and_grad(ref, s, t)
    value_diff = abs(v_ours - v_ref) / max(1.0, abs(v_ref))
    grad_diff = ((g_ours - g_ref).abs().max() /
                 g_ref.abs().max().clamp(min=1e-12)).item()
    if value_diff > TOLERANCE or grad_diff > TOLERANCE:
        raise AssertionError(
            f'benchmarks/bench_cwd.py: ChannelWiseDivergence differs from '
            f'the reference formula (values {v_ours} vs {v_ref}, relative '
            f'gradient difference {grad_diff:.2e})')
    return dict(value_ours=v_ours, value_reference=v_ref,
                value_rel_diff=value_diff, grad_rel_diff=grad_diff,
                tolerance=TOLERANCE)


def backward_fn(loss_fn, s, t):
    """Forward + backward of ``loss_fn`` on the student leaf ``s``."""

    def run() -> None:
        s.grad = None
        loss_fn(s, t).backward()

    return run


def main(argv=None) -> dict:
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(argv)
    set_threads(args.threads)
    torch.manual_seed(0)
    s = torch.randn(*args.shape, device=args.device).requires_grad_(True)
    t = torch.randn(*args.shape, device=args.device) * 2
    ours = ChannelWiseDivergence(tau=args.tau)

    def ref(a, b):
        return reference_cwd(a, b, tau=args.tau)

    check = check_equal(ours, ref, s, t)
    variants = {REFERENCE: backward_fn(ref, s, t),
                OURS: backward_fn(ours, s, t)}
    times = interleaved_times(variants, args.repeats, args.warmup,
                              args.device)
    med = medians(times)
    ratios = [ratio(f'{OURS} / reference', med[OURS] / med[REFERENCE], 1.0)]
    settings = dict(shape=tuple(args.shape), tau=args.tau,
                    timed='forward + backward (float32)')
    results = finish('CWD loss: ours vs the reference formula', settings,
                     times, ratios, args, check=check)
    print(f"\nfloat64 values: ours {check['value_ours']:.10f}, reference "
          f"{check['value_reference']:.10f} (relative difference "
          f"{check['value_rel_diff']:.1e}; gradients "
          f"{check['grad_rel_diff']:.1e}; tolerance {TOLERANCE:g})")
    return results


if __name__ == '__main__':
    main()
