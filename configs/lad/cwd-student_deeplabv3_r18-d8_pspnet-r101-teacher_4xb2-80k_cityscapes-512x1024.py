# CWD baseline: DeepLabV3-R18 distilled from MMSeg's PSPNet-R101 (RGB only).
# Paper (Tab. 6, Cityscapes val): 74.2 -> 77.1 mIoU (teacher 79.8).
# Teacher weights: MMSeg's model zoo (79.76 mIoU), downloaded on
# first use and cached by mmengine. Offline: download them first with
#   mim download mmsegmentation --dest checkpoints \
#       --config pspnet_r101-d8_4xb2-80k_cityscapes-512x1024
# and add --cfg-options model.teacher_ckpt=checkpoints/<that file>.
_base_ = ['mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    teacher_ckpt='https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
