# FCN-R18-w16 student of the LAD family benchmark (tools/benchmark_lad.py)
# distilled from its own LAD teacher (same network with label input; the
# teacher gets a freshly noised label of each batch). CWD on the decode
# logits, tau 4, weight 3 (paper eq. 8). The tool sets model.teacher_ckpt to
# the teacher it trained; by hand, train the teacher into the default work
# dir below first.
_base_ = ['./fcn_r18-w16-d8_1xb4-600_demo-urban-96x96.py']

teacher_name = 'lad-teacher_fcn_r18-w16-d8_1xb4-600_demo-urban-96x96'
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg=f'mmseg_unify::benchmark/{teacher_name}.py',
    teacher_ckpt=f'work_dirs/{teacher_name}',
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
