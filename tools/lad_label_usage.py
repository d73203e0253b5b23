# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What a LAD teacher uses: its image or its label channel (LAD paper §4.2).

    python tools/lad_label_usage.py CONFIG CHECKPOINT [--num-images 20]
        [--method {grad_x_input,integrated_gradients}] [--steps 8]
        [--seed 0] [--work-dir DIR] [--out-chart FILE]
        [--cfg-options k=v ...]

CONFIG may also name a provided config (``mmseg_unify::lad/...py``); it must
be a LAD teacher (``LabelNoisingDataPreprocessor``), loaded strictly from
CHECKPOINT (a file or a training work dir).

On the first ``--num-images`` validation images, each with the teacher's own
noised label, it measures (a) the share of the attribution (gradient x input
or integrated gradients) on the 3 image channels vs the label channel, per
predicted class and overall, and (b) mIoU, KL x100 to the full prediction
and the pixels whose class stays when the label channel is zeroed, replaced
by another image's noised label, noised afresh, or when the image is
replaced by its mean colour. It prints both tables and a verdict (label
dominates / label unused / uses both), warns in plain words about the first
two, and writes ``WORK_DIR/label_usage.json``, the chart
(``WORK_DIR/label_usage.png`` or ``--out-chart``) and the composed config.
See ``docs/en/lad_diagnostics.md`` for how to read them.
"""
import argparse
import os.path as osp
import time

import torch
from mmengine.runner import Runner

import mmseg_unify  # noqa: F401  (registers components, checkpoint allow-list)
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.evaluation.label_usage import (CONDITIONS, METHODS,
                                                label_usage)
from mmseg_unify.evaluation.label_usage_verdict import summary_line
from mmseg_unify.models.teacher import load_teacher_weights
from mmseg_unify.utils.checkpoint_paths import resolve_checkpoint
from mmseg_unify.utils.cli import add_common_args, load_config
from mmseg_unify.utils.label_io import write_bytes_atomic, write_json_atomic
from mmseg_unify.utils.progress import clock
from mmseg_unify.visualization.label_usage_chart import save_label_usage_chart


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the LAD teacher config (a path or '
                        'mmseg_unify::lad/...py)')
    parser.add_argument('checkpoint', help='its checkpoint (or work dir)')
    parser.add_argument(
        '--num-images', type=int, default=20,
        help='validation images to use, from the start (default 20)')
    parser.add_argument('--method', choices=METHODS, default='grad_x_input',
                        help='attribution method (default grad_x_input)')
    parser.add_argument(
        '--steps', type=int, default=8,
        help='path steps of integrated gradients (default 8)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the label noise draws (default 0)')
    parser.add_argument('--out-chart', help='chart file (PNG, PDF, SVG; '
                        'default WORK_DIR/label_usage.png)')
    add_common_args(parser)
    args = parser.parse_args(argv)
    if args.num_images < 1:
        parser.error(f'--num-images must be >= 1, got {args.num_images}')
    if args.steps < 1:
        parser.error(f'--steps must be >= 1, got {args.steps}')
    if args.launcher != 'none':
        parser.error('--launcher: this tool runs in one process (K images '
                     'take seconds to minutes); drop the flag')
    return args


def format_tables(result: dict) -> str:
    """Markdown tables of both views and the verdict."""
    att = result['attribution']

    def pct(v):
        return '–' if v is None else f'{v:.1%}'

    lines = [f"Attribution ({result['method']}, {result['images']} images):"
             ' share of |attribution| per input, by predicted class', '',
             '| class | pixels | image share | label share |',
             '| --- | ---: | ---: | ---: |']
    total = dict(name='**all**', label_share=att['label_share'],
                 pixels=sum(r['pixels'] for r in att['per_class']))
    for row in att['per_class'] + [total]:
        share = row['label_share']
        lines.append(f"| {row['name']} | {row['pixels']} | "
                     f"{pct(None if share is None else 1 - share)} | "
                     f'{pct(share)} |')
    lines += ['', 'Ablation: the prediction with one input changed', '',
              '| input | mIoU | KL x100 to full | pixels kept |',
              '| --- | ---: | ---: | ---: |']
    for key, row in result['ablation'].items():
        what = CONDITIONS.get(key, 'full: image + noised label')
        lines.append(f"| {what} | {row['mIoU']:.2f} | {row['kl_x100']:.3f} "
                     f"| {row['agreement']:.1%} |")
    views = result['views']
    lines += ['', f"Verdict: {result['verdict']} (attribution: "
              f"{views['attribution']}; ablation: {views['ablation']})"]
    return '\n'.join(lines)


def build_teacher(cfg, config: str, checkpoint: str):
    """The LAD teacher of ``cfg`` with ``checkpoint`` loaded strictly."""
    pre = cfg.model.get('data_preprocessor') or {}
    if pre.get('type') != 'LabelNoisingDataPreprocessor':
        raise ValueError(
            f'{config}: model.data_preprocessor.type is '
            f"{pre.get('type')!r}; lad_label_usage needs a LAD teacher "
            "(type='LabelNoisingDataPreprocessor')")
    model = MODELS.build(cfg.model)
    load_teacher_weights(model, checkpoint, config)
    if torch.cuda.is_available():
        model = model.cuda()
    return model.eval()


def first_images(cfg, num: int) -> tuple:
    """The first ``num`` validation batches (of one image) and the class
    names."""
    loader = Runner.build_dataloader(dict(
        cfg.val_dataloader, batch_size=1, num_workers=0,
        persistent_workers=False))
    batches = []
    for data in loader:
        if len(batches) >= num:
            break
        batches.append(data)
    names = loader.dataset.metainfo.get('classes')
    return batches, list(names) if names else None


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args)  # --cfg-options, --work-dir
    checkpoint = resolve_checkpoint(args.checkpoint)
    print(f'[label usage] teacher {args.config}\n[label usage] checkpoint '
          f'{checkpoint}', flush=True)
    model = build_teacher(cfg, args.config, checkpoint)
    write_bytes_atomic(osp.join(cfg.work_dir, 'label_usage_config.py'),
                       cfg.pretty_text.encode('utf-8'))
    batches, names = first_images(cfg, args.num_images)
    if len(batches) < args.num_images:
        print(f'[label usage] the validation set has only {len(batches)} '
              f'images (--num-images {args.num_images})')
    start = time.time()

    def progress(i, n):
        eta = '?' if not i else clock((time.time() - start) / i * (n - i))
        print(f'==> [{i + 1}/{n}] image {i} | elapsed '
              f'{clock(time.time() - start)} | ETA {eta}', flush=True)

    torch.manual_seed(args.seed)
    num_classes = model.data_preprocessor.num_classes
    result = label_usage(model, batches, num_classes, names, args.method,
                         args.steps, progress=progress)
    result.update(config=args.config, checkpoint=checkpoint, seed=args.seed,
                  label_noise=dict(
                      model.data_preprocessor.noise_cfg,
                      fixed_alphas=model.data_preprocessor.fixed_alphas
                      is not None),
                  summary=summary_line(result))
    print('\n' + format_tables(result))
    for warning in result['warnings']:
        print(f'\nWARNING: {warning}')
    chart = args.out_chart or osp.join(cfg.work_dir, 'label_usage.png')
    title = osp.basename(args.config)
    if args.cfg_options:  # the variant, in at most 100 characters
        opts = ' '.join(f'{k}={v}' for k, v in args.cfg_options.items())
        title += '\n' + (opts if len(opts) <= 100 else opts[:97] + '...')
    save_label_usage_chart(result, chart, title=title)
    out = osp.join(cfg.work_dir, 'label_usage.json')
    write_json_atomic(out, result)
    print(f'\n[label usage] {summary_line(result)}\n[label usage] wrote '
          f'{out} and {chart}')
    return result


if __name__ == '__main__':
    main()
