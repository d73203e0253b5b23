# LAD student: PSPNet-R18 distilled from the LAD teacher PSPNet-R18*
# (image + noised label) of
# configs/lad/lad-teacher_pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py.
# Paper (Tab. 1 and 6, Cityscapes val): 72.6 -> 76.2 mIoU (teacher 79.7).
# Train the teacher first: its default work dir is used (best_*.pth, else
# the last checkpoint).
_base_ = ['mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_pspnet_r18-d8_4xb2-80k_cityscapes-512x1024',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
