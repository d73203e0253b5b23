# LAD student: OCRNet-W18 distilled from the LAD teacher OCRNet-W18*
# (image + noised label) of
# configs/lad/lad-teacher_ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py.
# Paper (Tab. 4, Cityscapes val): 77.7 -> 80.4 mIoU.
# Train the teacher first: its default work dir is used (best_*.pth, else
# the last checkpoint).
_base_ = ['mmseg::ocrnet/ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_ocrnet_hr18_4xb2-80k_cityscapes-512x1024',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
