# TAS500 (off-road extra): train/ and the id labels train_labels_ids/ as
# released (raw id 255 is the class puddle, not void).
# Pseudo-labelling input (raw ids of taxonomies/tas500.yaml). Maps:
# ontology_maps/maps/tas500_to_<source>.yaml for offroad:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology tas500_to_offroad \
#       --out work_dirs/pseudo_labels/offroad/tas500
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='tas500',
        data_root='data/tas500',
        data_prefix=dict(
            img_path='train',
            seg_map_path='train_labels_ids'),
        img_suffix='.png',
        seg_map_suffix='.png'))
