# COCO panoptic as semantic labels (urban extra, paper Tab. I). Convert the
# panoptic PNGs + JSON of the urban images (data-priors' coco/lists/
# <split>_urban_subset.txt) with
#   python tools/dataset_converters/coco_panoptic.py SRC --splits train \
#       --subset-lists DATA_PRIORS/datasets/coco/lists --nproc 8
# which writes data/coco/train2017/<name>.jpg (links, the listed images only)
# and data/coco/panoptic_semseg_train2017/<name>.png: contiguous ids 0..132
# of ontology_maps/taxonomies/coco_panoptic.yaml, 255 (void) for unlabelled
# pixels, which the maps let stay unlabelled (pseudo-labelled only where the
# teacher is sure).
# Maps: ontology_maps/maps/coco_panoptic_to_<source>.yaml for cityscapes,
# mapillary (also offroad, coco):
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
