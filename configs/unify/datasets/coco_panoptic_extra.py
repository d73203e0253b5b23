# COCO panoptic as semantic labels (urban extra): panopticapi's semantic
# conversion, contiguous ids 0..132 (ontology_maps/taxonomies/
# coco_panoptic.yaml), 255 void. The paper uses the urban scenes only: point
# img_path (here and in the students' extras tables) at a folder of those.
# Pseudo-labelling input (raw ids of taxonomies/coco_panoptic.yaml). Maps:
# ontology_maps/maps/coco_panoptic_to_<source>.yaml for cityscapes, mapillary
# (also offroad, coco):
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology coco_panoptic_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/coco_panoptic
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='coco_panoptic',
        data_root='data/coco',
        data_prefix=dict(
            img_path='train2017',
            seg_map_path='panoptic_semseg_train2017'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
