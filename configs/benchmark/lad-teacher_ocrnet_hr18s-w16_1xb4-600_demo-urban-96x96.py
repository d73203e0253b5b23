# LAD teacher of the OCRNet-HR18s-w16 family benchmark: the same network with
# a 4-channel backbone (image + noised label), trained with dual-path
# consistency (paper eq. 7). tools/test.py reports mIoU with the noised label
# and zeros/mIoU with a zero channel.
_base_ = ['./ocrnet_hr18s-w16_1xb4-600_demo-urban-96x96.py']

model = dict(
    type='DualPathCascadeSegmentor',
    data_preprocessor=dict(
        type='LabelNoisingDataPreprocessor',
        num_classes=12,
        beta=0.01,
        test_label='noised'),
    backbone=dict(in_channels=4),
    consistency_weight=1.0,
    consistency_tau=4.0)
test_cfg = dict(type='LabelInputTestLoop')
