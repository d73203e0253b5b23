# Unified student, urban setting, Cityscapes source (paper §IV-A, Tab. II), the
# paper's M2F-B: the teacher's model trained on Cityscapes train with its
# ground truth plus the 11 urban extra datasets of Tab. I pseudo-labelled in
# the Cityscapes taxonomy; validated on Cityscapes val (for WildDash:
# wilddash-test_mask2former_swin-b_cityscapes-512x1024.py). As the SegFormer
# student of this setting, with Mask2Former's model and schedule. Needs mmdet
# 3.x (docs/en/mask2former.md).
#
# Pseudo-labels: tools/pseudo_label.py with a Mask2Former (or any) teacher of
# this setting for every extra of datasets/cityscapes_unified.py (`--extra
# configs/unify/datasets/<extra>_extra.py --ontology <extra>_to_cityscapes
# --out <root>/<extra>`); root: the environment variable PSEUDO_LABEL_ROOT,
# default work_dirs/pseudo_labels/mask2former/cityscapes (the Swin-B and Swin-L
# students read the same root: point it at the labels of the teacher you
# chose). The Naive Student baseline is this config with the labels of
# `--no-priors`:
# PSEUDO_LABEL_ROOT=work_dirs/pseudo_labels/mask2former/cityscapes_no-priors \
#     bash tools/dist_train.sh THIS_CONFIG 8 --work-dir work_dirs/naive-student
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_cityscapes-512x1024.py',
    './datasets/cityscapes_unified.py'
]
label_root = \
    '{{$PSEUDO_LABEL_ROOT:work_dirs/pseudo_labels/mask2former/cityscapes}}'
# the source's training set + every extra of datasets/cityscapes_unified.py,
# with its pseudo-labels from label_root/<extra>
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[{{_base_.train_dataloader.dataset}}] + [
            dict(
                type='CityscapesDataset',
                data_prefix=dict(
                    img_path=img, seg_map_path=f'{label_root}/{name}'),
                img_suffix=suffix,
                seg_map_suffix='.png',
                pipeline={{_base_.train_pipeline}})
            for name, (img, suffix) in _base_.extras.items()
        ]))
# Schedule (paper §III): one validation per epoch over the union; training
# stops once val mIoU has not improved for 15 epochs (max_epochs is only a
# cap); the best checkpoint (save_best) is then fine-tuned on the source.
# Learning rate as in MMSeg's Mask2Former (AdamW 1e-4, poly 0.9, no warm-up).
max_epochs = 50
train_cfg = dict(
    _delete_=True,
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=1)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0,
        power=0.9,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
default_hooks = dict(
    logger=dict(log_metric_by_epoch=True),
    checkpoint=dict(
        by_epoch=True, interval=1, max_keep_ckpts=2, save_best='mIoU'))
log_processor = dict(by_epoch=True)
custom_hooks = [
    dict(
        type='EarlyStoppingHook',
        monitor='mIoU',
        rule='greater',
        min_delta=0.0,
        patience=15)
]
