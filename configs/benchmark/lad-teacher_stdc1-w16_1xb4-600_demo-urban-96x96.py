# LAD teacher of the STDC1-w16 family benchmark: the same network with a
# 4-channel backbone (image + noised label), trained with dual-path
# consistency (paper eq. 7). tools/test.py reports mIoU with the noised label
# and zeros/mIoU with a zero channel.
_base_ = ['./stdc1-w16_1xb4-600_demo-urban-96x96.py']

model = dict(
    type='DualPathConsistencySegmentor',
    data_preprocessor=dict(
        type='LabelNoisingDataPreprocessor',
        num_classes=12,
        beta=0.01,
        test_label='noised'),
    backbone=dict(backbone_cfg=dict(in_channels=4)),
    consistency_weight=1.0,
    consistency_tau=4.0)
test_cfg = dict(type='LabelInputTestLoop')
