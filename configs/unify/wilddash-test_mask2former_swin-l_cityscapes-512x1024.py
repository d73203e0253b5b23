# WildDash 2 test of the Cityscapes-source urban setting's Mask2Former Swin-L
# models (the paper's M2F-L): the Swin-B WildDash config of this setting
# with MMSeg's Swin-L backbone.
#   bash tools/dist_test.sh THIS_CONFIG CKPT 8
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = ['./wilddash-test_mask2former_swin-b_cityscapes-512x1024.py']
model = dict(
    backbone=dict(embed_dims=192, num_heads=[6, 12, 24, 48], init_cfg=None),
    decode_head=dict(in_channels=[192, 384, 768, 1536]))
