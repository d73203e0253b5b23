# Makassar road lane segmentation ('Lanes', urban extra): images/ and id labels
# (ontology_maps/taxonomies/road_lane_segmentation.yaml) in labels/, same file
# names.
# Pseudo-labelling input (raw ids of taxonomies/road_lane_segmentation.yaml).
# Maps:
# ontology_maps/maps/road_lane_segmentation_to_<source>.yaml for cityscapes,
# mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology road_lane_segmentation_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/road_lane_segmentation
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='road_lane_segmentation',
        data_root='data/road_lane_segmentation',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.png',
        seg_map_suffix='.png'))
