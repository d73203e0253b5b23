# LAD student: the stock PSPNet-R18 example distilled from its LAD teacher
# (train configs/examples/lad-teacher_pspnet_r18-d8_1xb4-1k_demo-urban-
# 128x128.py first). Loss = the student's own losses + 3 * CWD(student logits,
# teacher logits, tau 4) (LAD paper eq. 8); the teacher sees a freshly noised
# label every iteration. Checkpoints hold only the student: test them with the
# plain student config.
_base_ = ['./pspnet_r18-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    _delete_=True,  # the distiller replaces the student's model dict ...
    type='CWDDistiller',
    student={{_base_.model}},  # ... and wraps it unchanged
    # in your own project: '{{fileDirname}}/<teacher config>.py'
    teacher_cfg='mmseg_unify::examples/lad-teacher_pspnet_r18-d8_1xb4-1k_demo-urban-128x128.py',  # noqa: E501
    # a checkpoint file, or a training work dir (its best, else last, one)
    teacher_ckpt='work_dirs/lad-teacher_pspnet_r18-d8_1xb4-1k_demo-urban-128x128',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
