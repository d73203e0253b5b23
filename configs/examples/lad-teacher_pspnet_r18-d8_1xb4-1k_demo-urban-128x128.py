# LAD teacher made from the stock PSPNet-R18 example: the same network with a
# 4-channel backbone (normalised image + noised ground-truth label), trained
# on two independently noised paths with a CWD consistency loss between them.
# These are the only changes a LAD teacher needs (docs/en/lad.md).
_base_ = ['./pspnet_r18-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    type='DualPathConsistencySegmentor',  # OCRNet: DualPathCascadeSegmentor
    data_preprocessor=dict(
        type='LabelNoisingDataPreprocessor',
        num_classes={{_base_.num_classes}},  # = the decode head's
        beta=0.01,
        test_label='noised'),
    backbone=dict(in_channels=4),  # STDC: backbone_cfg=dict(in_channels=4)
    consistency_weight=1.0,
    consistency_tau=4.0)
# validate and test twice: with the noised label and with a zero channel
val_cfg = dict(type='LabelInputValLoop')
test_cfg = dict(type='LabelInputTestLoop')
