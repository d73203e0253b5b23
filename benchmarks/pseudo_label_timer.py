# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Time a ``tools/pseudo_label.py`` run from outside the package.

    python benchmarks/pseudo_label_timer.py <pseudo_label.py arguments>

Runs the tool with one more hook, :class:`PseudoLabelTimer`, which measures
per rank the teacher's forward passes (forward hooks on the segmentor, with
CUDA synchronisation on a GPU), the whole iterations (model + label writing)
and the peak resident memory, and writes them to
``<work_dir>/pseudo_label_timing_rank<r>.json``. The package itself does no
profiling.
"""
import json
import os.path as osp
import sys
import time

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _sync(module) -> None:
    import torch
    if next(module.parameters()).is_cuda:
        torch.cuda.synchronize()


def time_forwards(module, times: dict) -> None:
    """Add the wall time of every forward of ``module`` to
    ``times['forward']`` (forward hooks; CUDA is synchronised around)."""
    start = []

    def pre(mod, args):
        _sync(mod)
        start[:] = [time.perf_counter()]

    def post(mod, args, output):
        _sync(mod)
        times['forward'] = times.get('forward', 0.0) + \
            time.perf_counter() - start[0]

    module.register_forward_pre_hook(pre)
    module.register_forward_hook(post)


@HOOKS.register_module()
class PseudoLabelTimer(Hook):
    """Forward, iteration and memory figures of one pseudo-labelling run."""

    priority = 'LOWEST'  # the iteration ends after the labels are written

    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self.times = dict(forward=0.0, iterations=0.0, images=0)
        time_forwards(model.module, self.times)
        self._start = time.perf_counter()

    def before_test_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._iter = time.perf_counter()

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self.times['iterations'] += time.perf_counter() - self._iter
        self.times['images'] += len(outputs or [])

    def after_test(self, runner) -> None:
        import resource
        self.times['seconds'] = time.perf_counter() - self._start
        self.times['peak_rss_mb'] = resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024
        path = osp.join(runner.work_dir,
                        f'pseudo_label_timing_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(self.times, f)


def main(argv=None) -> None:
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import pseudo_label  # tools/pseudo_label.py
    args = pseudo_label.parse_args(argv)
    cfg = pseudo_label.build_config(args)
    cfg.custom_hooks.append(dict(type='PseudoLabelTimer'))
    pseudo_label.run(cfg)


if __name__ == '__main__':
    main()
