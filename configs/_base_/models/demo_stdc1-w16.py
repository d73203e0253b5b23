# A CPU-sized STDC1: MMSeg's STDC1 topology (STDCNet1 with 'cat' modules,
# context path with attention refinement and feature fusion, decode head on
# the fused 1/8 features, two auxiliary FCN heads on the context path and the
# boundary (detail) head on the 1/8 backbone features) at reduced width:
# stages 16, 32, 64, 128, 256 channels instead of 32, 64, 256, 512, 1024, and
# heads narrowed alike. OHEM keeps at least 180 pixels per image instead of
# 10000: the same share of a 96x96 crop as 10000 of a 512x1024 one.
_base_ = ['./demo_fcn_r18-w16.py']
norm_cfg = dict(type='BN', requires_grad=True)
ohem = dict(type='OHEMPixelSampler', thresh=0.7, min_kept=180)
model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor={{_base_.data_preprocessor}},
    pretrained=None,
    backbone=dict(
        type='STDCContextPathNet',
        backbone_cfg=dict(
            type='STDCNet',
            stdc_type='STDCNet1',
            in_channels=3,
            channels=(16, 32, 64, 128, 256),
            bottleneck_type='cat',
            num_convs=4,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU'),
            with_final_conv=False),
        last_in_channels=(256, 128),
        out_channels=32,
        ffm_cfg=dict(in_channels=96, out_channels=64, scale_factor=4)),
    decode_head=dict(
        type='FCNHead',
        in_channels=64,
        channels=64,
        num_convs=1,
        num_classes=12,
        in_index=3,
        concat_input=False,
        dropout_ratio=0.1,
        norm_cfg=norm_cfg,
        align_corners=True,
        sampler=ohem,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=[
        dict(
            type='FCNHead',
            in_channels=32,
            channels=16,
            num_convs=1,
            num_classes=12,
            in_index=2,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            sampler=ohem,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        dict(
            type='FCNHead',
            in_channels=32,
            channels=16,
            num_convs=1,
            num_classes=12,
            in_index=1,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            sampler=ohem,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        dict(
            type='STDCHead',
            in_channels=64,
            channels=16,
            num_convs=1,
            num_classes=2,
            boundary_threshold=0.1,
            in_index=0,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            loss_decode=[
                dict(
                    type='CrossEntropyLoss',
                    loss_name='loss_ce',
                    use_sigmoid=True,
                    loss_weight=1.0),
                dict(type='DiceLoss', loss_name='loss_dice', loss_weight=1.0)
            ]),
    ],
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
