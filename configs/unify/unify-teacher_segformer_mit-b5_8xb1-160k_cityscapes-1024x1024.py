# Teacher of the urban setting with the Cityscapes source (paper §IV-A):
# MMSeg's SegFormer-B5 on Cityscapes, unchanged (MMSeg's released checkpoint
# of this config can serve as the teacher). The paper's teachers and
# students are Mask2Former (needs mmdet); any MMSeg model works the same
# way, the students below share this one's model.
#
#   python tools/train.py THIS_CONFIG
#   # then pseudo-label every extra (README, "Unified student"):
#   python tools/pseudo_label.py THIS_CONFIG CKPT \
#       --extra configs/unify/datasets/a2d2_extra.py \
#       --ontology a2d2_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/a2d2
_base_ = [
    'mmseg::segformer/segformer_mit-b5_8xb1-160k_cityscapes-1024x1024.py'
]
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
