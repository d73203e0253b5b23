# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Evaluate a LAD teacher with and without its label input in one run."""
from contextlib import contextmanager

from mmengine.hooks import IterTimerHook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop

from mmseg.registry import LOOPS

OTHER = {'noised': 'zeros', 'zeros': 'noised'}
TITLES = {'noised': 'with noised label input', 'zeros': 'zero label channel'}


@contextmanager
def label_input(model, mode: str):
    """Temporarily set the ``test_label`` of a LAD teacher's preprocessor."""
    pp = (model.module if is_model_wrapper(model) else model).data_preprocessor
    if not hasattr(pp, 'test_label'):
        raise TypeError(
            'LabelInput loops need a model whose data_preprocessor is '
            f'LabelNoisingDataPreprocessor, got {type(pp).__name__}')
    saved, pp.test_label = pp.test_label, mode
    try:
        yield
    finally:
        pp.test_label = saved


class _LabelInputMixin:
    """Run the dataloader twice: configured label input, then the other.

    The metrics of the configured input keep their names (so ``save_best``
    and the log work as usual); the other run's are prefixed with its mode,
    e.g. ``zeros/mIoU`` next to ``mIoU`` for a teacher evaluated with noised
    labels.
    """

    def _evaluate_once(self, stage: str, mode: str) -> dict:
        """One pass over the dataloader; its metric table is titled."""
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        print_log(f'LAD teacher, {stage} metrics {TITLES[mode]} '
                  f"(test_label='{mode}'):", logger='current')
        return self.evaluator.evaluate(len(self.dataloader.dataset))

    def _restart_timer(self, stage: str) -> None:
        """Reset the iteration timer so that the second pass's ETA counts
        only its own iterations."""
        for hook in self.runner.hooks:
            if isinstance(hook, IterTimerHook):
                getattr(hook, f'after_{stage}_epoch')(self.runner)
                getattr(hook, f'before_{stage}_epoch')(self.runner)

    def _run_both(self, stage: str) -> dict:
        self.runner.call_hook(f'before_{stage}')
        self.runner.call_hook(f'before_{stage}_epoch')
        self.runner.model.eval()
        model = self.runner.model
        pp = (model.module if is_model_wrapper(model) else
              model).data_preprocessor
        mode = getattr(pp, 'test_label', 'noised')
        metrics = self._evaluate_once(stage, mode)
        other = OTHER[mode]
        self._restart_timer(stage)
        with label_input(model, other):
            extra = self._evaluate_once(stage, other)
        metrics.update({f'{other}/{k}': v for k, v in extra.items()})
        self.runner.call_hook(f'after_{stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{stage}')
        return metrics


@LOOPS.register_module()
class LabelInputValLoop(_LabelInputMixin, ValLoop):
    """``ValLoop`` reporting a LAD teacher's metrics with its configured
    label input and with the other one (``noised`` vs ``zeros``)."""

    def run(self) -> dict:
        return self._run_both('val')


@LOOPS.register_module()
class LabelInputTestLoop(_LabelInputMixin, TestLoop):
    """``TestLoop`` counterpart of :class:`LabelInputValLoop`."""

    def run(self) -> dict:
        return self._run_both('test')
