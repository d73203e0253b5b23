# Teacher of the off-road setting (paper §IV-B), the paper's M2F-B: MMSeg's
# Mask2Former Swin-B Cityscapes config (model, pipelines, schedule) trained
# on GOOSE 2D in the 34-class `offroad` taxonomy of the ontology maps, read
# as by the SegFormer teacher of this setting
# (unify-teacher_segformer_mit-b5_8xb1-160k_goose-offroad-1024x1024.py):
# TaxonomySegDataset maps GOOSE's 64 raw ids through
# ontology_maps/maps/goose2d_to_offroad.yaml (a class sent to exactly one
# offroad class becomes it, every other pixel is ignored).
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_cityscapes-512x1024.py'
]
num_classes = 34
# Mask2Former's classification loss weighs the "no object" class 0.1
model = dict(
    decode_head=dict(
        num_classes=num_classes,
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1])))
goose = dict(
    type='TaxonomySegDataset',
    taxonomy='offroad',
    ontology='goose2d_to_offroad',
    data_root='data/goose',
    img_suffix='_windshield_vis.png',
    seg_map_suffix='_labelids.png')
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
