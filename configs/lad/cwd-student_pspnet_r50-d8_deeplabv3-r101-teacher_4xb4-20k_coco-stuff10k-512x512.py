# CWD baseline: PSPNet-R50 distilled from MMSeg's DeepLabV3-R101 (RGB only).
# Paper (Tab. 5, COCO-Stuff 10k test): 35.7 -> 35.4 mIoU.
# The paper does not name the CWD teacher of Tab. 5; this is the one of
# its Tabs. 1 and 4.
# Teacher weights: MMSeg's model zoo (37.3 mIoU), downloaded on
# first use and cached by mmengine. Offline: download them first with
#   mim download mmsegmentation --dest checkpoints \
#       --config deeplabv3_r101-d8_4xb4-20k_coco-stuff10k-512x512
# and add --cfg-options model.teacher_ckpt=checkpoints/<that file>.
_base_ = ['mmseg::pspnet/pspnet_r50-d8_4xb4-20k_coco-stuff10k-512x512.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg::deeplabv3/deeplabv3_r101-d8_4xb4-20k_coco-stuff10k-512x512.py',  # noqa: E501
    teacher_ckpt='https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x512_4x4_20k_coco-stuff10k/deeplabv3_r101-d8_512x512_4x4_20k_coco-stuff10k_20210821_043025-c49752cb.pth',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
