# Teacher of the urban setting, Mapillary Vistas source (paper §IV-A), the
# paper's M2F-L: the Swin-B teacher of this setting with MMSeg's Swin-L
# backbone (ImageNet-22k, 384x384 pre-training), the same change MMSeg's
# mask2former_swin-l-in22k-384x384-pre_8xb2-90k_cityscapes-512x1024.py makes
# (same depths, so the same per-layer optimizer settings). Needs mmdet 3.x
# (docs/en/mask2former.md).
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_mapillary63-512x1024.py'
]
pretrained = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_large_patch4_window12_384_22k_20220412-6580f57d.pth'  # noqa
model = dict(
    backbone=dict(
        embed_dims=192,
        num_heads=[6, 12, 24, 48],
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    decode_head=dict(in_channels=[192, 384, 768, 1536]))
