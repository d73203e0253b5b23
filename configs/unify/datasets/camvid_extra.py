# CamVid, 32 classes (urban extra). Its labels are RGB: convert them to the raw
# ids of ontology_maps/taxonomies/camvid.yaml (data-priors
# CamVid/lists/class_dict.csv) into labels/, same file names as images/.
# Pseudo-labelling input (raw ids of taxonomies/camvid.yaml). Maps:
# ontology_maps/maps/camvid_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology camvid_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/camvid
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='camvid',
        data_root='data/camvid',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.png',
        seg_map_suffix='.png'))
