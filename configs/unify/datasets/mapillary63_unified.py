# The pseudo-labelled part of the unified training set of the urban setting
# with the Mapillary Vistas source (paper §IV-A, Tab. I/II): the 11 urban
# extras of the Cityscapes-source setting (cityscapes_unified.py) with
# Cityscapes in place of Mapillary Vistas, labelled in the 63-class
# Mapillary taxonomy (`--ontology <extra>_to_mapillary`). The SegFormer and
# Mask2Former unified students of this setting
# (../unify-student_*_mapillary63-unified-*.py) inherit it beside their
# teacher and read every extra as a MapillaryDataset_v1 (the teacher's 63
# classes) of its pseudo-labels, with their own pseudo-label root, source
# dataset and training pipeline (mmengine runs a base before the config that
# inherits it, so those stay in the students). Not runnable.
#
# extra (its folder under the student's pseudo-label root) -> (image folder,
# image suffix), as in datasets/<extra>_extra.py; the order is the students'
# order of the extras.
_base_ = ['./cityscapes_unified.py']
extras = dict(
    _delete_=True,
    **{
        name: folder
        for name, folder in _base_.extras.items()
        if name != 'mapillary_vistas'
    },
    cityscapes_labelids=('data/cityscapes/leftImg8bit/train',
                         '_leftImg8bit.png'))
