# Waymo Open Dataset panoptic camera labels (urban extra), extracted from the
# TFRecords into images/ and semantic id PNGs in labels/ (ids of
# ontology_maps/taxonomies/waymo.yaml), same relative paths.
# Pseudo-labelling input (raw ids of taxonomies/waymo.yaml). Maps:
# ontology_maps/maps/waymo_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology waymo_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/waymo
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='waymo',
        data_root='data/waymo',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
