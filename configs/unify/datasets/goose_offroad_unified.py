# The pseudo-labelled part of the unified training set of the off-road
# setting (paper §IV-B, Tab. I/III): the 5 off-road extras, labelled in the
# 34-class offroad taxonomy (`--ontology <extra>_to_offroad`). The SegFormer
# and Mask2Former unified students of this setting
# (../unify-student_*_goose-offroad-unified-*.py) inherit it beside their
# teacher and read every extra as a TaxonomySegDataset (taxonomy offroad) of
# its pseudo-labels, with their own pseudo-label root, source dataset and
# training pipeline (mmengine runs a base before the config that inherits
# it, so those stay in the students). Not runnable.
#
# extra (its folder under the student's pseudo-label root) -> (image folder,
# image suffix), as in datasets/<extra>_extra.py. A pseudo-label folder
# mirrors the image folder (image suffix -> '.png').
extras = dict(
    cityscapes_labelids=('data/cityscapes/leftImg8bit/train',
                         '_leftImg8bit.png'),
    rellis3d=('data/rellis3d/images', '.jpg'),
    yamaha=('data/yamaha/images', '.jpg'),
    tas500=('data/tas500/train', '.png'),
    freiburg_forest=('data/freiburg_forest/train/rgb', '.jpg'))
