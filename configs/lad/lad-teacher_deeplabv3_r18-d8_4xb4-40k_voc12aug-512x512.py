# LAD teacher (image + noised label, dual-path consistency) on top of
# configs/baselines/deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512.py.
# Validation reports mIoU with the noised label and zeros/mIoU without
# it. RGB-pretrained weights load into channels 0-2 of the first conv;
# the label channel starts from N(0, 0.1^2).
_base_ = ['../baselines/deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    type='DualPathConsistencySegmentor',
    data_preprocessor=dict(
        type='LabelNoisingDataPreprocessor', num_classes=21),
    backbone=dict(in_channels=4),
    consistency_weight=1.0,
    consistency_tau=4.0)
val_cfg = dict(type='LabelInputValLoop')
test_cfg = dict(type='LabelInputTestLoop')
