# Yamaha-CMU off-road dataset (YCOR, off-road extra): rgb.jpg and the labels
# converted to ids (ontology_maps/taxonomies/yamaha.yaml), arranged as
# images/<name>.jpg and labels/<name>.png.
# Pseudo-labelling input (raw ids of taxonomies/yamaha.yaml). Maps:
# ontology_maps/maps/yamaha_to_<source>.yaml for offroad:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology yamaha_to_offroad \
#       --out work_dirs/pseudo_labels/offroad/yamaha
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='yamaha',
        data_root='data/yamaha',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
