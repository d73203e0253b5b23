# Unified student on the demo data (label-space unification, paper §III):
# the demo FCN-R18-w16, trained from scratch on demo_urban train plus
# demo_coarse and demo_split train pseudo-labelled by the demo teacher with
# the ontology priors (datasets/demo_urban_unified.py).
# Validation on demo_urban val every 100 iterations; the best checkpoint is
# kept (save_best='mIoU') and training stops once val mIoU has not improved
# for 5 validations (the paper waits 15 epochs), after 2000 iterations at
# the latest. Then fine-tune the best checkpoint on demo_urban alone with
# 0.1x the learning rate:
# unify-student-finetune_fcn_r18-w16-d8_1xb4-500_demo-urban-128x128.py.
_base_ = [
    '../_base_/models/demo_fcn_r18-w16.py',
    './datasets/demo_urban_unified.py', '../_base_/demo_runtime.py',
    '../_base_/schedules/schedule_demo_1k.py'
]
max_iters = 2000
val_interval = 100
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
default_hooks = dict(
    checkpoint=dict(interval=val_interval, max_keep_ckpts=1))
# patience counts validations; mmengine's hook stops the train loop
custom_hooks = [
    dict(
        type='EarlyStoppingHook',
        monitor='mIoU',
        rule='greater',
        min_delta=0.0,
        patience=5)
]
