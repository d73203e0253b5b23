# WildDash 2 as the robustness test set of the Mapillary-source urban setting
# (paper Tab. II), in the mapillary taxonomy: the label files' raw ids
# (taxonomies/wilddash.yaml) read through
# ontology_maps/maps/wilddash_to_mapillary.yaml (every WildDash class is
# determined there or void). Tests any model of that setting:
#   python tools/test.py THIS_CONFIG CKPT
_base_ = [
    './unify-teacher_segformer_mit-b5_8xb1-160k_mapillary63-1024x1024.py'
]
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='TaxonomySegDataset',
        taxonomy='mapillary',
        ontology='wilddash_to_mapillary',
        data_root='data/wilddash',
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        pipeline={{_base_.test_pipeline}}))
