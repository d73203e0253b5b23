# Mapillary Vistas v1.2 (urban extra for the Cityscapes source), in MMSeg's
# layout (training/images, training/v1.2/labels: raw ids 0..65).
# Pseudo-labelling input (raw ids of taxonomies/mapillary_vistas.yaml). Maps:
# ontology_maps/maps/mapillary_vistas_to_<source>.yaml for cityscapes (also
# mapillary, offroad):
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology mapillary_vistas_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/mapillary_vistas
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='mapillary_vistas',
        data_root='data/mapillary',
        data_prefix=dict(
            img_path='training/images',
            seg_map_path='training/v1.2/labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
