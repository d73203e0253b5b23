# Freiburg Forest (off-road extra): rgb/ and the colour GT converted to the ids
# of ontology_maps/taxonomies/freiburg_forest.yaml in labels/, same file names.
# Pseudo-labelling input (raw ids of taxonomies/freiburg_forest.yaml). Maps:
# ontology_maps/maps/freiburg_forest_to_<source>.yaml for offroad:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology freiburg_forest_to_offroad \
#       --out work_dirs/pseudo_labels/offroad/freiburg_forest
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='freiburg_forest',
        data_root='data/freiburg_forest',
        data_prefix=dict(
            img_path='train/rgb',
            seg_map_path='train/labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
