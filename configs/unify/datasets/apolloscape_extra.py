# ApolloScape scene parsing (urban extra): ColorImage/ and Label/ as released
# (Record*/Camera */<name>.jpg and <name>_bin.png).
# Pseudo-labelling input (raw ids of taxonomies/apolloscape.yaml). Maps:
# ontology_maps/maps/apolloscape_to_<source>.yaml for cityscapes, mapillary:
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
