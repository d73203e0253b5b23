# GOOSE 2D as released (urban extra; the paper uses its urban scenes only:
# point img_path, here and in the students' extras tables, at a folder of
# those). As the off-road source, GOOSE is read through its map instead
# (unify-teacher_segformer_mit-b5_8xb1-160k_goose-offroad-1024x1024.py).
# Pseudo-labelling input (raw ids of taxonomies/goose2d.yaml). Maps:
# ontology_maps/maps/goose2d_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology goose2d_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/goose2d
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='goose2d',
        data_root='data/goose',
        data_prefix=dict(
            img_path='images/train',
            seg_map_path='labels/train'),
        img_suffix='_windshield_vis.png',
        seg_map_suffix='_labelids.png'))
