# A CPU-sized OCRNet: MMSeg's HRNetV2-W18-small layout (2-2-2 blocks,
# 3 + 2 modules in stages 3 and 4) at width 16 (branches of 16, 32, 64, 128
# channels instead of 18, 36, 72, 144), with a 1-block stage 1 of 16
# bottleneck channels (64 out) instead of 2 blocks of 64 (256 out), and the
# OCR head at 1/8 of MMSeg's channels (64 and 32 instead of 512 and 256).
# Two cascaded heads as in MMSeg: an FCN head (weight 0.4) whose prediction
# gives the OCR head its object regions.
_base_ = ['./demo_fcn_r18-w16.py']
norm_cfg = dict(type='BN', requires_grad=True)
widths = [16, 32, 64, 128]
model = dict(
    _delete_=True,
    type='CascadeEncoderDecoder',
    num_stages=2,
    data_preprocessor={{_base_.data_preprocessor}},
    pretrained=None,
    backbone=dict(
        type='HRNet',
        in_channels=3,
        norm_cfg=norm_cfg,
        norm_eval=False,
        extra=dict(
            stage1=dict(
                num_modules=1,
                num_branches=1,
                block='BOTTLENECK',
                num_blocks=(1, ),
                num_channels=(16, )),
            stage2=dict(
                num_modules=1,
                num_branches=2,
                block='BASIC',
                num_blocks=(2, 2),
                num_channels=tuple(widths[:2])),
            stage3=dict(
                num_modules=3,
                num_branches=3,
                block='BASIC',
                num_blocks=(2, 2, 2),
                num_channels=tuple(widths[:3])),
            stage4=dict(
                num_modules=2,
                num_branches=4,
                block='BASIC',
                num_blocks=(2, 2, 2, 2),
                num_channels=tuple(widths)))),
    decode_head=[
        dict(
            type='FCNHead',
            in_channels=widths,
            channels=sum(widths),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            kernel_size=1,
            num_convs=1,
            concat_input=False,
            dropout_ratio=-1,
            num_classes=12,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
        dict(
            type='OCRHead',
            in_channels=widths,
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=64,
            ocr_channels=32,
            dropout_ratio=-1,
            num_classes=12,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    ],
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
