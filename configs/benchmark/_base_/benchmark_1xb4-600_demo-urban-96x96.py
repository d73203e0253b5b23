# Data, runtime and schedule of the LAD family benchmark
# (tools/benchmark_lad.py): the demo data with 96x96 training crops, batch 4,
# 600 iterations of SGD with poly decay, a checkpoint halfway (for --resume)
# and at the end. No validation during training: the benchmark tests every
# final checkpoint once with tools/test.py (100 val images at 256x128, single
# scale). Sized so that all 21 trainings of one seed fit a 2-core CPU.
_base_ = [
    '../../_base_/datasets/demo_urban.py', '../../_base_/demo_runtime.py',
    '../../_base_/schedules/schedule_demo_1k.py'
]
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale={{_base_.img_scale}},
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=600,
        by_epoch=False)
]
train_cfg = dict(max_iters=600)
default_hooks = dict(checkpoint=dict(interval=300, save_best=None))
