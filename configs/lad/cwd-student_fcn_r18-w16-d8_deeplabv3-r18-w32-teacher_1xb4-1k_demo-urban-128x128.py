# CWD baseline on the demo data: the demo FCN student distilled from an
# ordinary (RGB-only) DeepLabV3 teacher with CWD on logits. Train the teacher
# first with tools/train.py (default work dir below; its best checkpoint is
# used) or point model.teacher_ckpt at a checkpoint file.
_base_ = ['../demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::demo/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128.py',  # noqa: E501
    teacher_ckpt='work_dirs/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128',
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
