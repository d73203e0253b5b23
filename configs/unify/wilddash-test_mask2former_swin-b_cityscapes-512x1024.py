# WildDash 2 as the robustness test set of the Cityscapes-source urban setting
# (paper Tab. II), for its Mask2Former models (Swin-B), in the cityscapes
# taxonomy: the label files' raw ids (taxonomies/wilddash.yaml) read through
# ontology_maps/maps/wilddash_to_cityscapes.yaml. Tests any Swin-B model of
# that setting (teacher, student, fine-tuned student):
#   bash tools/dist_test.sh THIS_CONFIG CKPT 8
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_cityscapes-512x1024.py'
]
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='TaxonomySegDataset',
        taxonomy='cityscapes',
        ontology='wilddash_to_cityscapes',
        data_root='data/wilddash',
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        pipeline={{_base_.test_pipeline}}))
