# A CPU-sized DeepLabV3 (ResNetV1c-18 at 1/2 width, 32..256 channels, output
# stride 8, ASPP with dilations suited to 16×16 feature maps): the stronger
# ordinary teacher of the demo's CWD baseline.
_base_ = ['./demo_fcn_r18-w16.py']
model = dict(
    backbone=dict(stem_channels=32, base_channels=32),
    decode_head=dict(
        _delete_=True,
        type='ASPPHead',
        in_channels=256,
        in_index=3,
        channels=64,
        dilations=(1, 3, 6, 9),
        dropout_ratio=0.1,
        num_classes=12,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(in_channels=128, channels=64))
