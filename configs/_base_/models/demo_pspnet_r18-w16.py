# A CPU-sized PSPNet: the demo ResNetV1c-18 at 1/4 width (16..128 channels,
# output stride 8) with a pyramid pooling head (bins 1, 2, 3, 6, as MMSeg's
# PSPNet) and the demo FCN's auxiliary head on stage 3.
_base_ = ['./demo_fcn_r18-w16.py']
model = dict(
    decode_head=dict(
        _delete_=True,
        type='PSPHead',
        in_channels=128,
        in_index=3,
        channels=64,
        pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1,
        num_classes=12,
        norm_cfg={{_base_.norm_cfg}},
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
