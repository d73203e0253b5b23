# LAD teacher on the demo data: the demo FCN with a 4-channel backbone
# (image + noised label), trained with dual-path consistency. Validation
# reports mIoU with the noised label as input and zeros/mIoU without it.
_base_ = ['../demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    type='DualPathConsistencySegmentor',
    data_preprocessor=dict(
        type='LabelNoisingDataPreprocessor',
        num_classes=12,
        beta=0.01,
        test_label='noised'),
    backbone=dict(in_channels=4),
    consistency_weight=1.0,
    consistency_tau=4.0)
val_cfg = dict(type='LabelInputValLoop')
test_cfg = dict(type='LabelInputTestLoop')
