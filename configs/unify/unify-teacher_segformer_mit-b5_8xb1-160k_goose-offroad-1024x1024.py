# Teacher of the off-road setting (paper §IV-B): SegFormer-B5 as in MMSeg's
# Cityscapes config, trained on GOOSE 2D in the 34-class `offroad` taxonomy
# of the ontology maps. GOOSE's label files hold its own 64 raw ids;
# TaxonomySegDataset reads them through ontology_maps/maps/
# goose2d_to_offroad.yaml: a class the map sends to exactly one offroad
# class becomes it, every other pixel is ignored (18 void classes, and
# caravan and trailer, which may also be void).
_base_ = [
    'mmseg::segformer/segformer_mit-b5_8xb1-160k_cityscapes-1024x1024.py'
]
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
goose = dict(
    type='TaxonomySegDataset',
    taxonomy='offroad',
    ontology='goose2d_to_offroad',
    data_root='data/goose',
    img_suffix='_windshield_vis.png',
    seg_map_suffix='_labelids.png')
model = dict(decode_head=dict(num_classes=34))
train_dataloader = dict(
    dataset=dict(
        **goose,
        data_prefix=dict(img_path='images/train',
                         seg_map_path='labels/train')))
val_dataloader = dict(
    dataset=dict(
        **goose,
        data_prefix=dict(img_path='images/val', seg_map_path='labels/val')))
test_dataloader = val_dataloader
