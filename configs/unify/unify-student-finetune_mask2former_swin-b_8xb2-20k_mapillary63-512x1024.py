# Fine-tuning of the unified Mask2Former Swin-B student, urban setting,
# Mapillary source (paper §III): the student's best checkpoint trained on
# Mapillary Vistas alone for 20k iterations with 0.1x the student's learning
# rate. load_from: a checkpoint file, or the student's work dir (tools/train.py
# then loads its newest best_*.pth); to resume an interrupted fine-tuning add
# `--cfg-options load_from=None` (mmengine resumes from load_from when set).
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_mapillary63-512x1024.py'
]
load_from = (
    'work_dirs/'
    'unify-student_mask2former_swin-b_8xb2-50e_mapillary63-unified-512x1024')
model = dict(backbone=dict(init_cfg=None))  # weights come from load_from
max_iters = 20000
optim_wrapper = dict(optimizer=dict(lr=0.00001))  # 0.1 x 1e-4
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=2000)
default_hooks = dict(
    checkpoint=dict(interval=2000, max_keep_ckpts=2, save_best='mIoU'))
