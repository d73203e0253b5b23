# Teacher of the urban setting with the Cityscapes source (paper §IV-A), the
# paper's M2F-B: MMSeg's Mask2Former with the Swin-B backbone (ImageNet-22k,
# 384x384 pre-training) on Cityscapes, unchanged, so MMSeg's released
# checkpoint of that config can serve as the teacher. Needs mmdet 3.x
# (`bash tools/install.sh --with-mask2former`, docs/en/mask2former.md).
# The lighter alternative: unify-teacher_segformer_mit-b5_*_cityscapes-*.py.
#
#   bash tools/dist_train.sh THIS_CONFIG 8
#   # then pseudo-label every extra; the TTA model averages Mask2Former's
#   # class scores normalised per pixel (scores='scores', chosen for its
#   # head automatically), not a softmax of them:
#   python tools/pseudo_label.py THIS_CONFIG CKPT \
#       --extra configs/unify/datasets/a2d2_extra.py \
#       --ontology a2d2_to_cityscapes \
#       --out work_dirs/pseudo_labels/mask2former/cityscapes/a2d2
_base_ = [
    'mmseg::mask2former/'
    'mask2former_swin-b-in22k-384x384-pre_8xb2-90k_cityscapes-512x1024.py'
]
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
