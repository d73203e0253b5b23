# IDD segmentation, part I (IDD_Segmentation, urban extra, paper Tab. I;
# part II, idd20kII, is idd_part2_extra.py). Render its polygon JSON with
#   python tools/dataset_converters/idd.py SRC --nproc 8
# (SRC: leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.png and
# gtFine/<split>/<seq>/<frame>_gtFine_polygons.json), which writes
# data/idd/leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.png (links) and
# data/idd/gtFine/<split>/<seq>/<frame>_gtFine_labelids.png (raw ids of
# ontology_maps/taxonomies/idd.yaml, not IDD's level ids). This config reads
# the train split.
# Maps: ontology_maps/maps/idd_to_<source>.yaml for cityscapes, mapillary:
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
