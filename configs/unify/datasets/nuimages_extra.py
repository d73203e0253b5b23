# nuImages (urban extra, paper Tab. I). Render the semantic masks from its
# JSON tables (RLE masks; no devkit needed) with
#   python tools/dataset_converters/nuimages.py SRC --nproc 8
# (SRC: samples/<CAM>/<name>.jpg and v1.0-train/, v1.0-val/ tables), which
# writes data/nuimages/samples/<CAM>/<name>.jpg (links, key frames only) and
# data/nuimages/masks/<CAM>/<name>.png (raw ids of
# ontology_maps/taxonomies/nuimages.yaml; not the devkit's own indices).
# Maps: ontology_maps/maps/nuimages_to_<source>.yaml for cityscapes,
# mapillary:
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
