# Unified student, urban setting, Mapillary Vistas source (paper §IV-A,
# Tab. II): the teacher's model trained on Mapillary Vistas v1.2 (63
# classes) with its ground truth plus the 11 urban extras of Tab. I
# (Cityscapes instead of Mapillary) pseudo-labelled in that taxonomy;
# validated on Mapillary val (for WildDash:
# wilddash-test_segformer_mit-b5_mapillary63-1024x1024.py).
#
# Pseudo-labels: tools/pseudo_label.py with the teacher for every extra of
# datasets/mapillary63_unified.py (`--extra
# configs/unify/datasets/<extra>_extra.py --ontology <extra>_to_mapillary --out
# <root>/<extra>`); root: the environment variable PSEUDO_LABEL_ROOT, default
# work_dirs/pseudo_labels/mapillary. The Naive Student baseline is this config
# with the labels of `--no-priors`:
#   PSEUDO_LABEL_ROOT=work_dirs/pseudo_labels/mapillary_no-priors \
#       python tools/train.py THIS_CONFIG --work-dir work_dirs/naive-student
_base_ = [
    './unify-teacher_segformer_mit-b5_8xb1-160k_mapillary63-1024x1024.py',
    './datasets/mapillary63_unified.py'
]
label_root = '{{$PSEUDO_LABEL_ROOT:work_dirs/pseudo_labels/mapillary}}'
# the source's training set + every extra of datasets/mapillary63_unified.py,
# with its pseudo-labels from label_root/<extra>
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[{{_base_.train_dataloader.dataset}}] + [
            dict(
                type='MapillaryDataset_v1',
                metainfo={{_base_.mapillary63}},
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
max_epochs = 50
train_cfg = dict(
    _delete_=True,
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=1)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
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
