# Waymo Open Dataset v2 camera panoptic labels (urban extra, paper Tab. I).
# Extract the labelled frames from the v2 parquet files (pyarrow; no
# TensorFlow) with
#   python tools/dataset_converters/waymo.py SRC --nproc 8
# (SRC: <split>/camera_segmentation/<context>.parquet and
# <split>/camera_image/<context>.parquet), which writes
# data/waymo/images/<split>/<context>/<timestamp>_<CAMERA>.jpg (the JPEG
# bytes) and data/waymo/labels/<split>/<context>/<timestamp>_<CAMERA>.png
# (semantic ids of ontology_maps/taxonomies/waymo.yaml); this config reads
# both folders recursively.
# Maps: ontology_maps/maps/waymo_to_<source>.yaml for cityscapes, mapillary:
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
