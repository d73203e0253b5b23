# CWD baseline: PSPNet-R18 distilled from MMSeg's DeepLabV3-R101 (RGB only).
# Paper (Tab. 3, PASCAL VOC 2012 val): 73.3 -> 74.0 mIoU (teacher 77.7).
# Teacher weights: MMSeg's model zoo (77.92 mIoU), downloaded on
# first use and cached by mmengine. Offline: download them first with
#   mim download mmsegmentation --dest checkpoints \
#       --config deeplabv3_r101-d8_4xb4-40k_voc12aug-512x512
# and add --cfg-options model.teacher_ckpt=checkpoints/<that file>.
_base_ = ['../baselines/pspnet_r18-d8_4xb4-40k_voc12aug-512x512.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-40k_voc12aug-512x512.py',  # noqa: E501
    teacher_ckpt='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x512_40k_voc12aug/deeplabv3_r101-d8_512x512_40k_voc12aug_20200613_161432-0017d784.pth',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
