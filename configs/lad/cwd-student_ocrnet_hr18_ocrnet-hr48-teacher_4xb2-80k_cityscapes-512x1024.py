# CWD baseline: OCRNet-W18 distilled from MMSeg's OCRNet-W48 (RGB only).
# Paper (Tab. 4, Cityscapes val): 77.7 -> 78.6 mIoU (teacher 80.7).
# Teacher weights: MMSeg's model zoo (80.7 mIoU), downloaded on
# first use and cached by mmengine. Offline: download them first with
#   mim download mmsegmentation --dest checkpoints \
#       --config ocrnet_hr48_4xb2-80k_cityscapes-512x1024
# and add --cfg-options model.teacher_ckpt=checkpoints/<that file>.
_base_ = ['mmseg::ocrnet/ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg::ocrnet/ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py',
    teacher_ckpt='https://download.openmmlab.com/mmsegmentation/v0.5/ocrnet/ocrnet_hr48_512x1024_80k_cityscapes/ocrnet_hr48_512x1024_80k_cityscapes_20200601_222752-9076bcdf.pth',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
