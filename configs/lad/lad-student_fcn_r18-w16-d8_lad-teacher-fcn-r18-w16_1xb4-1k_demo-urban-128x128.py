# LAD student on the demo data: the demo FCN distilled from its own LAD
# teacher (same architecture, label input), CWD on logits, weight 3 (paper
# eq. 8). The teacher gets a freshly noised label of each batch.
_base_ = ['../demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128',
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
