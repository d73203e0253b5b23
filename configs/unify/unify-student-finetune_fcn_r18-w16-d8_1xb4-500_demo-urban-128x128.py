# Fine-tuning of the unified student (paper §III): its best checkpoint
# (load_from: a checkpoint file, or the student's work dir, whose newest
# best_*.pth tools/train.py then loads) trained on the source demo_urban
# alone for 500 iterations with 0.1x the student's learning rate.
#
#   python tools/train.py configs/unify/THIS_CONFIG \
#       [--cfg-options load_from=STUDENT_CHECKPOINT]
_base_ = ['../demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py']
load_from = ('work_dirs/'
             'unify-student_fcn_r18-w16-d8_1xb4-2k_demo-urban-unified-128x128')
max_iters = 500
val_interval = 100
optim_wrapper = dict(optimizer=dict(lr=0.005))  # 0.1 x 0.05
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
default_hooks = dict(
    checkpoint=dict(interval=val_interval, max_keep_ckpts=1))
