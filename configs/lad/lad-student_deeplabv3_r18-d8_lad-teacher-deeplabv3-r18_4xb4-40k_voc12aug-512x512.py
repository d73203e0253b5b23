# LAD student: DeepLabV3-R18 distilled from the LAD teacher DeepLabV3-R18*
# (image + noised label) of
# configs/lad/lad-teacher_deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512.py.
# Paper (Tab. 3, PASCAL VOC 2012 val): 73.2 -> 75.0 mIoU (teacher 79.1).
# Train the teacher first: its default work dir is used (best_*.pth, else
# the last checkpoint).
_base_ = ['../baselines/deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_deeplabv3_r18-d8_4xb4-40k_voc12aug-512x512',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
