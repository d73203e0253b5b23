# LAD student: STDC2 distilled from the LAD teacher STDC1*
# (image + noised label) of
# configs/lad/lad-teacher_stdc1_4xb12-80k_cityscapes-512x1024.py.
# Paper (Tab. 7, Cityscapes val): 73.2 -> 74.6 mIoU (teacher 79.1).
# Train the teacher first: its default work dir is used (best_*.pth, else
# the last checkpoint).
_base_ = ['mmseg::stdc/stdc2_4xb12-80k_cityscapes-512x1024.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_stdc1_4xb12-80k_cityscapes-512x1024.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_stdc1_4xb12-80k_cityscapes-512x1024',
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
