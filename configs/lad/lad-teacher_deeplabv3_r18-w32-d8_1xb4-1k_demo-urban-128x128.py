# LAD teacher on the demo data with the wider DeepLabV3-R18-w32 (the demo's
# ordinary CWD teacher) as network: does a larger network use the label input?
# Compare with configs/demo/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128.py.
_base_ = ['../demo/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128.py']

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
