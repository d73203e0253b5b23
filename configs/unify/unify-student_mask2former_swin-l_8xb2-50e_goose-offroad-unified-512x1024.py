# Unified student, the paper's M2F-L: the Swin-B student of this setting
# (same data, pseudo-label root and schedule) with MMSeg's Swin-L backbone,
# as unify-teacher_mask2former_swin-l_8xb2-90k_goose-offroad-512x1024.py.
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-student_mask2former_swin-b_8xb2-50e_'
    'goose-offroad-unified-512x1024.py'
]
pretrained = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_large_patch4_window12_384_22k_20220412-6580f57d.pth'  # noqa
model = dict(
    backbone=dict(
        embed_dims=192,
        num_heads=[6, 12, 24, 48],
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    decode_head=dict(in_channels=[192, 384, 768, 1536]))
