# RELLIS-3D (off-road extra): the camera images and their id labels
# (pylon_camera_node, pylon_camera_node_label_id) arranged into images/ and
# labels/ with the same relative paths (e.g. symlinks).
# Pseudo-labelling input (raw ids of taxonomies/rellis3d.yaml). Maps:
# ontology_maps/maps/rellis3d_to_<source>.yaml for offroad:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology rellis3d_to_offroad \
#       --out work_dirs/pseudo_labels/offroad/rellis3d
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='rellis3d',
        data_root='data/rellis3d',
        data_prefix=dict(
            img_path='images',
            seg_map_path='labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png'))
