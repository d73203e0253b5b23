# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-label an extra dataset with a teacher and an ontology map.

    python tools/pseudo_label.py TEACHER_CFG CHECKPOINT \\
        --extra DATASET_CFG --ontology MAP --out DIR \\
        [--no-priors] [--scales 0.5 0.75 1 ...] [--no-flip] \\
        [--void-threshold 0.5] [--colorize] [--num-panels N] [--no-resume] \\
        [--region-weight W] [--region-rule RULE] [--region-keep CLASS ...] \\
        [--label-input {zeros,extra}] [--num-workers N] [--work-dir DIR] \\
        [--cfg-options k=v ...] \\
        [--launcher {none,pytorch,slurm,mpi}]

    # several processes (GPUs, or CPU processes with gloo):
    torchrun --nproc_per_node=2 tools/pseudo_label.py ... --launcher pytorch

``TEACHER_CFG`` and ``DATASET_CFG`` may also name provided configs
(``mmseg_unify::unify/datasets/demo_coarse_extra.py``, ``mmseg::...``).
``DATASET_CFG`` is a config file defining ``test_dataloader`` (the extra
dataset, reading its label files with their **raw** ids) and usually
``tta_pipeline`` (else the teacher config's is used) and ``ontology_map``
(the default of ``--ontology``); see ``configs/unify/datasets/``.
The run is an ordinary ``runner.test()`` of the teacher wrapped in
``OntologyConstrainedTTAModel`` with the ``OntologyConstrainedInference``
hook; ``--print-config`` shows the composed config. ``--no-priors`` runs the
same pipeline without the ontology constraint (Naive Student baseline).
Interrupted runs resume where they stopped (same command).
``--region-weight`` pools the constrained scores over the connected regions
of the extra dataset's own labels before the decision (see
``docs/en/region_pooling.md``); 0, the default, labels as without it.
A LAD teacher (``LabelNoisingDataPreprocessor``) reads a zero label channel
by default; ``--label-input extra`` gives it the extra dataset's own labels
(their raw ids, class-wise noised, resized and flipped with every TTA
copy). Logs go to ``OUT_work`` (next to ``OUT`` and ``OUT_vis``); the
composed config is written to the log file, not to the console.
"""
import argparse
import copy
import json
import os
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmseg_unify.engine.hooks import OntologyConstrainedInference
from mmseg_unify.models.region_pooling import RULES
from mmseg_unify.utils.cli import add_common_args
from mmseg_unify.utils.config_ref import read_config
from mmseg_unify.utils.dist import prepare_cpu_distributed
from mmseg_unify.utils.output_guard import check_output_folders, input_folders
from mmseg_unify.utils.pseudo_label_manifest import read_manifest
from mmseg_unify.utils.quiet_runner import (FileOnlyConfigRunner,
                                            config_location)
from mmseg_unify.utils.tta_config import check_scales, set_tta

LABEL_INPUT_PREPROCESSORS = ('LabelNoisingDataPreprocessor', )
LABEL_INPUTS = ('zeros', 'extra')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Ontology-constrained pseudo-labelling of an extra '
        'dataset (label-space unification)')
    parser.add_argument('config', help='teacher config file')
    parser.add_argument('checkpoint', help='teacher checkpoint')
    parser.add_argument(
        '--extra', required=True, help='extra dataset config file')
    parser.add_argument(
        '--ontology',
        help='ontology map (extra -> source taxonomy); default: the extra '
        "dataset config's ontology_map")
    parser.add_argument('--out', required=True, help='pseudo-label folder')
    parser.add_argument(
        '--no-priors',
        action='store_true',
        help='no ontology constraint (Naive Student baseline)')
    parser.add_argument(
        '--scales',
        type=float,
        nargs='+',
        help='TTA scale factors (default: those of the tta_pipeline)')
    parser.add_argument(
        '--no-flip', action='store_true', help='no flipped TTA copies')
    parser.add_argument(
        '--void-threshold',
        type=float,
        default=0.5,
        help='a pixel whose allowed set contains void keeps its label only '
        'if the largest allowed probability reaches this (default 0.5)')
    parser.add_argument(
        '--region-weight',
        type=float,
        default=0.0,
        help='blend each pixel\'s constrained scores with their mean over its '
        'region of the extra label map: (1-w) p + w mean (0 = no pooling, '
        'the default; 1 = one label per region)')
    parser.add_argument(
        '--region-rule',
        choices=RULES,
        default='ambiguous-no-void',
        help='extra ids whose regions are pooled: all (every id with a '
        'source class), ambiguous (more than one source class allowed), '
        'ambiguous-no-void (and void not allowed; default)')
    parser.add_argument(
        '--region-keep',
        nargs='+',
        default=[],
        metavar='CLASS',
        help='source classes pooling leaves alone (thin or small "parts" '
        'such as lane_marking): their pixels are neither pooled nor vote')
    parser.add_argument(
        '--colorize',
        action='store_true',
        help='also write colour copies of the labels (to OUT_vis/color)')
    parser.add_argument(
        '--num-panels',
        type=int,
        default=0,
        help='write RGB|GT|prediction|pseudo-label panels of this many '
        'images (to OUT_vis/panels)')
    parser.add_argument(
        '--no-resume',
        action='store_true',
        help='replace the folder: the old labels (and their colour copies '
        'and panels) are moved aside and deleted before any new label is '
        'written, so an interrupted run never leaves labels of two runs')
    parser.add_argument(
        '--label-input',
        choices=LABEL_INPUTS,
        default='zeros',
        help='label channel of a LAD teacher: zeros (default) or extra (the '
        'extra dataset\'s own labels, class-wise noised per image)')
    parser.add_argument(
        '--num-workers', type=int, help='dataloader workers per process')
    parser.add_argument(
        '--print-config',
        action='store_true',
        help='print the composed config and exit')
    add_common_args(parser)
    args = parser.parse_args(argv)
    try:
        check_scales(args.scales)
    except ValueError as e:
        parser.error(str(e))
    if not 0.0 <= args.region_weight <= 1.0:
        parser.error(f'--region-weight must be in [0, 1], got '
                     f'{args.region_weight}')
    if args.region_weight > 0 and args.no_priors:
        parser.error('--region-weight needs the ontology priors (drop '
                     '--no-priors)')
    return args


def teacher_for_pseudo_labels(model: dict,
                              label_input: str = 'zeros') -> dict:
    """The teacher model config as ``tools/test.py`` builds it, except for
    the label channel of a LAD teacher.

    The extra dataset's labels are in another taxonomy than the one the
    teacher was trained with. With ``'zeros'`` it predicts from the image
    alone; with ``'extra'`` its channel is the extra labels noised with one
    value per distinct raw id per image (``label_ids='any'``): class-wise
    noise carries only which pixels share a label, not which class it is.

    Args:
        model (dict): The teacher config's ``model``.
        label_input (str): ``'zeros'`` or ``'extra'``. Default: 'zeros'.

    Returns:
        dict: A copy with ``data_preprocessor.test_label`` (and
        ``label_ids``) set for a LAD teacher.

    Raises:
        ValueError: ``'extra'`` for a teacher without a label channel.
    """
    model = copy.deepcopy(model)
    pre = model.get('data_preprocessor') or {}
    if pre.get('type') not in LABEL_INPUT_PREPROCESSORS:
        if label_input != 'zeros':
            raise ValueError(
                f'--label-input {label_input}: the teacher has no label '
                f'channel (model.data_preprocessor.type is '
                f'{pre.get("type")!r}, not one of '
                f'{LABEL_INPUT_PREPROCESSORS})')
        return model
    if label_input == 'extra':
        pre.update(test_label='noised', label_ids='any')
        what = 'the extra labels, noised (test_label=noised, label_ids=any)'
    else:
        pre['test_label'] = 'zeros'
        what = 'a zero label channel (test_label=zeros)'
    print_log(f'[pseudo-label] LAD teacher: predicting with {what}',
              logger='current')
    return model


def build_config(args) -> Config:
    """Compose the pseudo-labelling config from the teacher config and the
    extra dataset config."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = read_config(args.config)
    extra = read_config(args.extra)
    if 'test_dataloader' not in extra:
        raise KeyError(f'{args.extra} defines no test_dataloader')
    ontology = args.ontology or extra.get('ontology_map')
    if ontology is None:
        raise ValueError('give --ontology MAP (or ontology_map in the extra '
                         'dataset config)')

    loader = copy.deepcopy(extra.test_dataloader)
    pipeline = copy.deepcopy(
        extra.get('tta_pipeline', cfg.get('tta_pipeline')))
    if pipeline is None:
        raise KeyError('neither the extra dataset config nor the teacher '
                       'config defines a tta_pipeline')
    loader.dataset.pipeline = set_tta(pipeline, args.scales, not args.no_flip)
    cfg.tta_pipeline = copy.deepcopy(pipeline)  # the one actually used
    loader.sampler = dict(type='DefaultSampler', shuffle=False)
    if args.num_workers is not None:
        loader.num_workers = args.num_workers
    if not loader.get('num_workers'):
        loader.persistent_workers = False

    cfg.test_dataloader = loader
    cfg.test_evaluator = []  # nothing to score: the hook writes the labels
    cfg.test_cfg = dict(type='TestLoop')
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler', 'val_dataloader', 'val_cfg',
                'val_evaluator'):
        cfg[key] = None
    cfg.model = dict(
        type='OntologyConstrainedTTAModel',
        module=teacher_for_pseudo_labels(cfg.model, args.label_input),
        ontology=ontology,
        priors=not args.no_priors,
        void_threshold=args.void_threshold,
        region_weight=args.region_weight,
        region_rule=args.region_rule,
        region_keep=list(args.region_keep))
    cfg.load_from = args.checkpoint
    cfg.resume = False
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
        dict(
            type='OntologyConstrainedInference',
            out_dir=args.out,
            resume=not args.no_resume,
            colorize=args.colorize,
            num_panels=args.num_panels,
            checkpoint=args.checkpoint)
    ]
    cfg.launcher = args.launcher
    if args.launcher != 'none' and not torch.cuda.is_available():
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or default_work_dir(args.out)
    check_work_dir(cfg)
    return cfg


def default_work_dir(out: str) -> str:
    """``OUT_work``: the logs beside the labels (and ``OUT_vis``)."""
    return osp.normpath(out) + '_work'


def check_work_dir(cfg: Config) -> None:
    """Refuse a work dir in the extra dataset's folders before the runner
    writes its first log line there (the hook checks ``--out`` itself)."""
    dataset = cfg.test_dataloader.dataset
    root = dataset.get('data_root') or ''
    prefixes = [osp.join(root, p)
                for p in (dataset.get('data_prefix') or {}).values() if p]
    check_output_folders({'--work-dir': cfg.work_dir},
                         input_folders([], prefixes or [root]))


def run(cfg: Config) -> Runner:
    """Run the composed config; an exception marks the manifest
    ``interrupted`` before it propagates.

    Returns:
        Runner: The runner after ``test()``.
    """
    prepare_cpu_distributed(cfg)
    runner = FileOnlyConfigRunner.from_cfg(cfg)
    print_log(config_location(runner), logger='current')
    try:
        runner.test()
    except BaseException:
        for hook in runner.hooks:
            if isinstance(hook, OntologyConstrainedInference):
                hook.mark_interrupted()
        raise
    return runner


def main(argv=None):
    args = parse_args(argv)
    cfg = build_config(args)
    if args.print_config:
        print(cfg.pretty_text)
        return
    runner = run(cfg)
    manifest = read_manifest(args.out) if runner.rank == 0 else None
    if manifest is not None:
        print(json.dumps(manifest.get('counts', {}), indent=2))


if __name__ == '__main__':
    main()
