# IDD segmentation (urban extra): leftImg8bit/ and the id label files written
# by IDD's createLabels script (ids of ontology_maps/taxonomies/idd.yaml);
# adjust seg_map_suffix to their names.
# Pseudo-labelling input (raw ids of taxonomies/idd.yaml). Maps:
# ontology_maps/maps/idd_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology idd_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/idd
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='idd',
        data_root='data/idd',
        data_prefix=dict(
            img_path='leftImg8bit/train',
            seg_map_path='gtFine/train'),
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelids.png'))
