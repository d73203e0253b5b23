# nuImages (urban extra): semantic masks rendered with the nuImages devkit (ids
# of ontology_maps/taxonomies/nuimages.yaml) into masks/, same relative paths
# as samples/.
# Pseudo-labelling input (raw ids of taxonomies/nuimages.yaml). Maps:
# ontology_maps/maps/nuimages_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology nuimages_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/nuimages
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='nuimages',
        data_root='data/nuimages',
        data_prefix=dict(
            img_path='samples',
            seg_map_path='masks'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
