# A2D2 (urban extra, paper Tab. I). A2D2 ships RGB colour-coded labels: convert
# them to the raw ids of ontology_maps/taxonomies/a2d2.yaml (data-priors
# a2d2/lists/class_list.json) into labels/, same relative paths and file names
# as images/.
# Pseudo-labelling input (raw ids of taxonomies/a2d2.yaml). Maps:
# ontology_maps/maps/a2d2_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology a2d2_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/a2d2
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='a2d2',
        data_root='data/a2d2',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.png',
        seg_map_suffix='.png'))
