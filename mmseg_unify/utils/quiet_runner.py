# Copyright (c) mmseg-unify contributors. All rights reserved.
"""A runner whose console leaves out the composed config.

mmengine's ``Runner`` logs the whole composed config (hundreds of lines for
a pseudo-labelling run: teacher, TTA pipeline, hooks) to every handler of
its logger. :class:`FileOnlyConfigRunner` keeps it in the log file (and in
the config dump of the work dir) and leaves it out of the console; the tool
prints where it is (:func:`config_location`).
"""
import logging
import os.path as osp

from mmengine.logging import MMLogger
from mmengine.runner import Runner

CONFIG_PREFIX = 'Config:\n'


class ConfigToFileOnly(logging.Filter):
    """Drops the runner's ``Config:`` record (on a console handler).

    The record is not changed (handlers share it: the file handler still
    writes it whole).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(CONFIG_PREFIX)


def config_to_file_only(logger: MMLogger) -> None:
    """Install :class:`ConfigToFileOnly` on the console handlers of
    ``logger`` (once; file handlers keep every record).

    Args:
        logger (MMLogger): The runner's logger.
    """
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler):
            continue
        if not any(isinstance(f, ConfigToFileOnly) for f in handler.filters):
            handler.addFilter(ConfigToFileOnly())


def config_location(runner: Runner) -> str:
    """One line naming the files that hold the composed config."""
    files = [h.baseFilename for h in runner.logger.handlers
             if isinstance(h, logging.FileHandler)]
    name = (osp.basename(runner.cfg.filename) if runner.cfg.filename else
            f'{runner.timestamp}.py')
    where = ' and '.join(files + [osp.join(runner.work_dir, name)])
    return f'composed config: in {where} (print it with --print-config)'


class FileOnlyConfigRunner(Runner):
    """``Runner`` that logs the composed config to its log file only."""

    def build_logger(self, log_level='INFO', log_file=None, **kwargs):
        logger = super().build_logger(log_level, log_file, **kwargs)
        config_to_file_only(logger)
        return logger
