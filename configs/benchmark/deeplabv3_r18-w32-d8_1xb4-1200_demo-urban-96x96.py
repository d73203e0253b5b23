# The ordinary (RGB-only) teacher of every CWD student of the LAD family
# benchmark, shared by all five families: the demo DeepLabV3-R18-w32, wider
# than the students and trained twice as long (1200 iterations), as the
# paper's CWD baselines use a stronger DeepLabV3-R101 teacher.
_base_ = [
    '../_base_/models/demo_deeplabv3_r18-w32.py',
    './_base_/benchmark_1xb4-600_demo-urban-96x96.py'
]
model = dict(data_preprocessor=dict(size={{_base_.crop_size}}))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=1200,
        by_epoch=False)
]
train_cfg = dict(max_iters=1200)
default_hooks = dict(checkpoint=dict(interval=600))
