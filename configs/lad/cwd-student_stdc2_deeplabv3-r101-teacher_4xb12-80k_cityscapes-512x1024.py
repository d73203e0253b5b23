# CWD baseline: STDC2 distilled from MMSeg's DeepLabV3-R101 (RGB only).
# Paper (Tab. 4, Cityscapes val): 73.2 -> 74.1 mIoU (teacher 78.1).
# Teacher weights: MMSeg's model zoo (80.2 mIoU), downloaded on
# first use and cached by mmengine. Offline: download them first with
#   mim download mmsegmentation --dest checkpoints \
#       --config deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024
# and add --cfg-options model.teacher_ckpt=checkpoints/<that file>.
_base_ = ['mmseg::stdc/stdc2_4xb12-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa: E501
    teacher_ckpt='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
