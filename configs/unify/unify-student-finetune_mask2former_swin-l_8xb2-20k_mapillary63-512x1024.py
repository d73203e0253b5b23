# Fine-tuning of the unified Mask2Former Swin-L student (the paper's M2F-L),
# urban setting, Mapillary source: the Swin-B fine-tuning of this setting with
# MMSeg's Swin-L backbone, starting from the Swin-L student's best checkpoint.
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-student-finetune_mask2former_swin-b_8xb2-20k_'
    'mapillary63-512x1024.py'
]
load_from = (
    'work_dirs/'
    'unify-student_mask2former_swin-l_8xb2-50e_mapillary63-unified-512x1024')
model = dict(
    backbone=dict(embed_dims=192, num_heads=[6, 12, 24, 48]),
    decode_head=dict(in_channels=[192, 384, 768, 1536]))
