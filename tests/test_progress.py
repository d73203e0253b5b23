# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The pipelines' progress line: ``[i/n] name | elapsed | ETA``."""
from mmseg_unify.utils import progress as progress_module
from mmseg_unify.utils.progress import Progress, clock


def test_clock():
    assert clock(59.6) == '1:00'
    assert clock(3725) == '1:02:05'


def test_eta_counts_only_executed_steps(monkeypatch, capsys):
    now = [1000.0]
    monkeypatch.setattr(progress_module.time, 'time', lambda: now[0])
    p = Progress(4)
    assert p.announce('seed 0: a') == \
        '==> [1/4] seed 0: a | elapsed 0:00 | ETA ?'
    p.finish(executed=False)  # skipped: finished in an earlier call
    p.announce('seed 0: b')
    now[0] += 120
    p.finish()  # 2 minutes
    line = p.announce('seed 0: c')
    # two steps left at 2 minutes each
    assert line == '==> [3/4] seed 0: c | elapsed 2:00 | ETA 4:00'
    assert line in capsys.readouterr().out
