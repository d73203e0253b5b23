# Copyright (c) mmseg-unify contributors. All rights reserved.
"""One progress line per step of a long pipeline.

    ==> [3/10] seed 0: lad-teacher_fcn_... | elapsed 4:12 | ETA 14:40

Used by ``tools/demo.py``, ``tools/unify_demo.py`` and
``tools/benchmark_lad.py``; each step is one train/test/pseudo-label call.
"""
import time
from typing import List, Optional


def clock(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss``) of a duration."""
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f'{h}:{m:02d}:{s:02d}' if h else f'{m}:{s:02d}'


class Progress:
    """Prints ``[i/n] name | elapsed | ETA`` before every step.

    The ETA is the mean wall time of the steps executed so far (steps
    skipped because they had finished before do not count) times the steps
    left.

    Args:
        total (int): Number of steps.
    """

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.start = time.time()
        self.executed: List[float] = []
        self._step_start: Optional[float] = None

    def eta(self) -> str:
        """The estimated time left, ``'?'`` before the first executed step."""
        if not self.executed:
            return '?'
        left = self.total - self.done
        return clock(sum(self.executed) / len(self.executed) * left)

    def announce(self, name: str) -> str:
        """Print (and return) the progress line of the next step."""
        self._step_start = time.time()
        line = (f'==> [{self.done + 1}/{self.total}] {name} | elapsed '
                f'{clock(time.time() - self.start)} | ETA {self.eta()}')
        print('\n' + line, flush=True)
        return line

    def finish(self, executed: bool = True,
               seconds: Optional[float] = None) -> None:
        """Count a finished step.

        Args:
            executed (bool): It did work (``False``: skipped as finished).
            seconds (float, optional): Its wall time; default: since
                :meth:`announce`.
        """
        if seconds is None:
            seconds = time.time() - (self._step_start or time.time())
        self.done += 1
        if executed:
            self.executed.append(seconds)
