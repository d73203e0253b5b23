# Makassar road lane segmentation ('Lanes', urban extra, paper Tab. I).
# Convert its colour masks (the download: <split>/images/<name>.jpg and
# <split>/masks/<name>.png) with
#   python tools/dataset_converters/road_lane.py SRC --nproc 8
# which writes data/road_lane_segmentation/images/<split>/<name>.jpg (links)
# and labels/<split>/<name>.png (raw ids of
# ontology_maps/taxonomies/road_lane_segmentation.yaml); this config reads
# both folders recursively. The images are JPEG (data-priors' DatasetClasses
# reads <split>/images/*.jpg).
# Maps: ontology_maps/maps/road_lane_segmentation_to_<source>.yaml for
# cityscapes, mapillary:
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
        img_suffix='.jpg',
        seg_map_suffix='.png'))
