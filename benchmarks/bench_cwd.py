# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Speed of ``ChannelWiseDivergence`` against a straightforward version.

    python benchmarks/bench_cwd.py [--shape 8 19 64 128] [--tau 4] \
        [--repeats 20] [--device cpu] [--threads N]

Times forward + backward (median of ``--repeats`` runs after warm-up) of

* ``reference``: the CWD formula written the obvious way (softmax of the
  teacher, two log-softmaxes, ``sum(p_T * log p_T - p_T * log p_S)``), the
  way the paper (Shu et al., ICCV 2021) and MMRazor's docs state it;
* ``ours``: ``mmseg_unify``'s loss (one log-softmax per side, the teacher
  side outside autograd),

checks that both give the same value and prints the medians and their
ratio. The default shape is Cityscapes logits at 1/8 of a 512×1024 crop,
batch 8, 19 classes. Timings are wall-clock: run it on an otherwise idle
machine (``--threads 1`` steadies CPU numbers).
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from mmseg_unify.models.losses.cwd import ChannelWiseDivergence


def reference_cwd(preds_S, preds_T, tau=1.0, loss_weight=1.0):
    """CWD as the formula reads: per channel, softmax over H*W."""
    n, c, h, w = preds_S.shape
    preds_T = preds_T.detach()
    p_t = F.softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_p_t = F.log_softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_p_s = F.log_softmax(preds_S.reshape(-1, h * w) / tau, dim=1)
    loss = torch.sum(p_t * log_p_t - p_t * log_p_s) * tau**2
    return loss_weight * loss / (c * n)


def _sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def time_fn(fn, s, t, repeats, device):
    """Median seconds of forward + backward."""
    times = []
    for i in range(repeats + 3):
        s.grad = None
        _sync(device)
        start = time.perf_counter()
        fn(s, t).backward()
        _sync(device)
        if i >= 3:  # warm-up
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shape', type=int, nargs=4,
                        default=[8, 19, 64, 128], metavar=('N', 'C', 'H', 'W'))
    parser.add_argument('--tau', type=float, default=4.0)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    s = torch.randn(*args.shape, device=args.device).requires_grad_(True)
    t = torch.randn(*args.shape, device=args.device) * 2
    ours = ChannelWiseDivergence(tau=args.tau)

    def ref(a, b):
        return reference_cwd(a, b, tau=args.tau)

    v_ref, v_ours = ref(s, t).item(), ours(s, t).item()
    assert abs(v_ref - v_ours) <= 1e-5 * max(1.0, abs(v_ref)), (v_ref, v_ours)
    t_ref = time_fn(ref, s, t, args.repeats, args.device)
    t_ours = time_fn(ours, s, t, args.repeats, args.device)
    print(f'shape {tuple(args.shape)}, tau {args.tau}, device {args.device}, '
          f'{args.repeats} repeats (forward + backward, median)')
    print('| implementation | ms | value |')
    print('| --- | --- | --- |')
    print(f'| reference | {t_ref * 1e3:.2f} | {v_ref:.6f} |')
    print(f'| ChannelWiseDivergence | {t_ours * 1e3:.2f} | {v_ours:.6f} |')
    print(f'speed-up (reference / ours): {t_ref / t_ours:.2f}x')


if __name__ == '__main__':
    main()
