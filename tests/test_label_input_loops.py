# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LabelInputTestLoop: two titled passes, the second with its own ETA."""
import os.path as osp

from mmengine.config import Config
from mmengine.hooks import Hook, IterTimerHook
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from mmseg.registry import HOOKS
from mmseg.utils import register_all_modules

import mmseg_unify  # noqa: F401
from helpers import ROOT

register_all_modules()

LAD_TEACHER = osp.join(
    ROOT, 'configs', 'lad',
    'lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py')


@HOOKS.register_module(force=True)
class UnifyTimerProbe(Hook):
    """Records the iteration timer's running total after every batch."""

    priority = 'VERY_LOW'  # after IterTimerHook updated it

    def before_test(self, runner):
        self.totals = []
        self.timer = next(h for h in runner.hooks
                          if isinstance(h, IterTimerHook))

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None):
        self.totals.append((batch_idx, self.timer.time_sec_test_val))


def test_two_titled_passes_and_a_fresh_eta(small_demo, tmp_path, capsys):
    cfg = Config.fromfile(LAD_TEACHER)
    cfg.test_dataloader.dataset.data_root = osp.join(small_demo,
                                                     'demo_urban')
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.work_dir = str(tmp_path)
    cfg.load_from = None
    cfg.custom_hooks = [dict(type='UnifyTimerProbe')]
    cfg.experiment_name = 'label_input_loop_test'
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert 'mIoU' in metrics and 'zeros/mIoU' in metrics
    log = open(MMLogger.get_current_instance().log_file).read()
    first = log.index("test metrics with noised label input "
                      "(test_label='noised')")
    second = log.index("test metrics zero label channel "
                       "(test_label='zeros')")
    assert first < second
    probe = next(h for h in runner.hooks if isinstance(h, UnifyTimerProbe))
    n = len(runner.test_dataloader)
    assert [i for i, _ in probe.totals] == list(range(n)) * 2
    # the second pass starts its running total afresh
    assert probe.totals[n][1] < probe.totals[n - 1][1]
