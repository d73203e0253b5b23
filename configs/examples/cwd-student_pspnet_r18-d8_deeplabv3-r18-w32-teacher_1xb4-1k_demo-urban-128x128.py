# CWD baseline: the stock PSPNet-R18 example distilled from an ordinary RGB
# teacher, the demo's DeepLabV3-R18-w32 (train configs/demo/deeplabv3_r18-w32-
# d8_1xb4-1k_demo-urban-128x128.py first). Same loss and weights as the LAD
# student next to it, so the two differ only in the teacher.
_base_ = ['./pspnet_r18-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::demo/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128.py',  # noqa: E501
    teacher_ckpt='work_dirs/deeplabv3_r18-w32-d8_1xb4-1k_demo-urban-128x128',
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
