# BDD100K semantic segmentation (urban extra), as released.
# Pseudo-labelling input (raw ids of taxonomies/bdd.yaml). Maps:
# ontology_maps/maps/bdd_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology bdd_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/bdd
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='bdd',
        data_root='data/bdd100k',
        data_prefix=dict(
            img_path='images/10k/train',
            seg_map_path='labels/sem_seg/masks/train'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
