# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Overhead of ``CWDDistiller`` over its parts run on their own.

    python benchmarks/bench_distiller.py [--configs CFG ...] [--batch 4] \
        [--size 128 128] [--repeats 20] [--warmup 2] [--threads N] \
        [--device cpu] [--json OUT]

For each distiller config (default: the demo LAD student, whose teacher is
the demo LAD teacher, and the demo CWD student, whose teacher is the
ordinary DeepLabV3-R18-w32), measured in one run, interleaved round by
round, on a synthetic batch (random images and labels):

* ``distiller step``: a whole ``CWDDistiller`` training step (both
  preprocessors, student forward/backward, teacher forward under no_grad,
  CWD, SGD step);
* ``student step``: the same student as a plain segmentor (the distiller
  config's ``student``), whole training step;
* ``teacher forward``: the frozen teacher (``build_frozen_teacher``, eval
  mode) under ``no_grad`` on the batch, including its own preprocessing
  (the noised label channel of a LAD teacher) when the distiller runs one;
  a teacher sharing the student's preprocessing gets the student's inputs.

The teachers are built with random weights and saved to a temporary
folder: speed does not depend on trained weights. Ratio: distiller /
(student + teacher); target <= 1.05.
"""
import argparse
import os.path as osp
import tempfile
from typing import Callable, Dict, List

import torch

from common import (ROOT, add_common_args, finish, interleaved_times,
                    medians, ratio, set_threads)
from segmentors import (build_segmentor, load_config, set_input_size,
                        synthetic_batch, train_step_fn)

CONFIGS = [
    'configs/lad/lad-student_fcn_r18-w16-d8_lad-teacher-fcn-r18-w16_'
    '1xb4-1k_demo-urban-128x128.py',
    'configs/lad/cwd-student_fcn_r18-w16-d8_deeplabv3-r18-w32-teacher_'
    '1xb4-1k_demo-urban-128x128.py',
]
TARGET = 1.05


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--configs', nargs='+', default=CONFIGS,
                        help='CWDDistiller configs')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--size', type=int, nargs=2, default=[128, 128],
                        metavar=('H', 'W'))
    return add_common_args(parser, repeats=20).parse_args(argv)


def save_random_teacher(teacher_cfg: str, work_dir: str) -> str:
    """A checkpoint of the teacher config's model with random weights."""
    from mmseg.registry import MODELS
    path = osp.join(work_dir, osp.basename(teacher_cfg) + '.pth')
    torch.manual_seed(0)
    teacher = MODELS.build(load_config(teacher_cfg).model)
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return path


def distiller_cfg(config: str, size, work_dir: str):
    """The distiller config: absolute teacher path, random checkpoint,
    preprocessors padding to ``size``."""
    cfg = load_config(config)
    model = cfg.model
    if model.type != 'CWDDistiller':
        raise ValueError(f'{config}: model type {model.type} is not '
                         'CWDDistiller')
    if '::' not in model.teacher_cfg and not osp.isabs(model.teacher_cfg):
        model.teacher_cfg = osp.join(ROOT, model.teacher_cfg)
    model.teacher_ckpt = save_random_teacher(model.teacher_cfg, work_dir)
    set_input_size(model.student, size)
    model.teacher_data_preprocessor = dict(
        model.get('teacher_data_preprocessor') or {}, size=tuple(size))
    return cfg


def teacher_forward_fn(distiller, data: dict):
    """The distiller's own frozen teacher run alone, as a callable.

    With a teacher preprocessor of its own (a LAD teacher's noised label),
    the preprocessing is part of the call; otherwise the teacher reads the
    student's preprocessed inputs, as in the distiller.
    """
    teacher_pp = distiller.data_preprocessor.teacher
    if teacher_pp is None:
        inputs = distiller.data_preprocessor.student(data, True)['inputs']

    @torch.no_grad()
    def forward() -> torch.Tensor:
        x = inputs if teacher_pp is None else teacher_pp(data, True)['inputs']
        return distiller.teacher._forward(x)

    return forward


def short_names(configs: List[str]) -> List[str]:
    """Row names: the configs' first name part (``lad-student``), numbered
    where two configs share it."""
    names = [osp.basename(c).split('_')[0] for c in configs]
    return [
        f'{n} #{names[:i].count(n) + 1}' if names.count(n) > 1 else n
        for i, n in enumerate(names)
    ]


def config_variants(config: str, name: str, args: argparse.Namespace,
                    work_dir: str) -> Dict[str, Callable]:
    """The three measured variants of one distiller config."""
    from mmseg_unify.models.utils import main_head
    cfg = distiller_cfg(config, args.size, work_dir)
    distiller = build_segmentor(cfg.model, args.device)
    student = build_segmentor(cfg.model.student, args.device)
    data = synthetic_batch(args.batch, args.size,
                           main_head(student).num_classes)
    return {
        f'{name}: distiller step':
        train_step_fn(distiller, cfg.optim_wrapper, data),
        f'{name}: student step':
        train_step_fn(student, cfg.optim_wrapper, data),
        f'{name}: teacher forward': teacher_forward_fn(distiller, data),
    }


def main(argv=None) -> dict:
    """Run the benchmark; returns (and prints) its results."""
    args = parse_args(argv)
    set_threads(args.threads)
    names = short_names(args.configs)
    variants = {}
    with tempfile.TemporaryDirectory(prefix='bench_distiller_') as work:
        for config, name in zip(args.configs, names):
            variants.update(config_variants(config, name, args, work))
    times = interleaved_times(variants, args.repeats, args.warmup,
                              args.device)
    med = medians(times)
    ratios = []
    for name in names:
        parts = med[f'{name}: student step'] + med[f'{name}: teacher forward']
        ratios.append(ratio(f'{name}: distiller / (student + teacher)',
                            med[f'{name}: distiller step'] / parts, TARGET))
    settings = dict(configs=args.configs, batch=args.batch,
                    size=tuple(args.size))
    return finish('CWDDistiller step vs student step + teacher forward',
                  settings, times, ratios, args)


if __name__ == '__main__':
    main()
