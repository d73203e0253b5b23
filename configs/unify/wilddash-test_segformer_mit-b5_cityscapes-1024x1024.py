# WildDash 2 as the robustness test set of the Cityscapes-source urban setting
# (paper Tab. II), in the cityscapes taxonomy: the label files' raw ids
# (taxonomies/wilddash.yaml) read through
# ontology_maps/maps/wilddash_to_cityscapes.yaml (every WildDash class is
# determined there or void). Tests any model of that setting:
#   python tools/test.py THIS_CONFIG CKPT
_base_ = [
    './unify-teacher_segformer_mit-b5_8xb1-160k_cityscapes-1024x1024.py'
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
