# Cityscapes train_extra (the 19,998 coarsely annotated images, here used
# without their coarse labels, as Naive Student does): the layout, command
# and prior mask of cityscapes_sequence_unlabelled.py, other images:
#   data/cityscapes/leftImg8bit/train_extra/<city>/
#       <city>_<seq>_<frame>_leftImg8bit.png
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology unlabelled_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/cityscapes_train_extra
# (With their coarse labels instead: a labelled extra, e.g. through
# cityscapes_labelids_extra.py with seg_map_path='gtCoarse/train_extra' and
# seg_map_suffix='_gtCoarse_labelIds.png'.)
_base_ = ['./cityscapes_sequence_unlabelled.py']
test_dataloader = dict(
    dataset=dict(data_prefix=dict(img_path='leftImg8bit/train_extra')))
