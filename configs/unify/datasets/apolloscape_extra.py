# ApolloScape scene parsing (urban extra, paper Tab. I). Its labels already
# are id PNGs (raw ids of ontology_maps/taxonomies/apolloscape.yaml), read
# where they are; check them (nothing is written but the summary, to
# work_dirs/dataset_checks/) with
#   python tools/dataset_converters/apolloscape.py data/apolloscape --nproc 8
# data/apolloscape is one road folder as released (e.g. a link to
# road01_ins/): ColorImage/Record*/Camera */<name>.jpg and
# Label/Record*/Camera */<name>_bin.png. For several road folders, merge
# them into one or add one config per folder.
# Maps: ontology_maps/maps/apolloscape_to_<source>.yaml for cityscapes,
# mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology apolloscape_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/apolloscape
_base_ = ['./extra_tta_2048x1024.py']
test_dataloader = dict(
    dataset=dict(
        taxonomy='apolloscape',
        data_root='data/apolloscape',
        data_prefix=dict(
            img_path='ColorImage',
            seg_map_path='Label'),
        img_suffix='.jpg',
        seg_map_suffix='_bin.png'))
