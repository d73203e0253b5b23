# Cityscapes with its raw label ids (*_gtFine_labelIds.png): the extra dataset
# of the Mapillary-source urban and the off-road settings.
# Pseudo-labelling input (raw ids of taxonomies/cityscapes_labelids.yaml).
# Maps:
# ontology_maps/maps/cityscapes_labelids_to_<source>.yaml for mapillary,
# offroad:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology cityscapes_labelids_to_mapillary \
#       --out work_dirs/pseudo_labels/mapillary/cityscapes_labelids
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='cityscapes_labelids',
        data_root='data/cityscapes',
        data_prefix=dict(
            img_path='leftImg8bit/train',
            seg_map_path='gtFine/train'),
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelIds.png'))
