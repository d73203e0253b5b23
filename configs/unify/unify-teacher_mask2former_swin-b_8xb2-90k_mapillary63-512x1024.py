# Teacher of the urban setting with the Mapillary Vistas source (paper
# §IV-A), the paper's M2F-B: MMSeg's Mask2Former Swin-B Cityscapes config
# (model, pipelines, schedule) trained on Mapillary Vistas v1.2 in the
# 63-class taxonomy of the ontology maps (ontology_maps/taxonomies/
# mapillary.yaml: raw ids 0..62 of v1.2; car mount, ego vehicle and
# unlabeled (63..65) are ignored), read with MMSeg's MapillaryDataset_v1 and
# its data layout, as the SegFormer teacher of this setting
# (unify-teacher_segformer_mit-b5_8xb1-160k_mapillary63-1024x1024.py).
# Needs mmdet 3.x (docs/en/mask2former.md).
_base_ = [
    './unify-teacher_mask2former_swin-b_8xb2-90k_cityscapes-512x1024.py'
]
num_classes = 63
# Mask2Former's classification loss weighs the "no object" class 0.1
model = dict(
    decode_head=dict(
        num_classes=num_classes,
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1])))
# MapillaryDataset_v1's first 63 classes, in raw-id order
mapillary63 = dict(classes=(
    'Bird', 'Ground Animal', 'Curb', 'Fence', 'Guard Rail', 'Barrier',
    'Wall', 'Bike Lane', 'Crosswalk - Plain', 'Curb Cut', 'Parking',
    'Pedestrian Area', 'Rail Track', 'Road', 'Service Lane', 'Sidewalk',
    'Bridge', 'Building', 'Tunnel', 'Person', 'Bicyclist', 'Motorcyclist',
    'Other Rider', 'Lane Marking - Crosswalk', 'Lane Marking - General',
    'Mountain', 'Sand', 'Sky', 'Snow', 'Terrain', 'Vegetation', 'Water',
    'Banner', 'Bench', 'Bike Rack', 'Billboard', 'Catch Basin',
    'CCTV Camera', 'Fire Hydrant', 'Junction Box', 'Mailbox', 'Manhole',
    'Phone Booth', 'Pothole', 'Street Light', 'Pole', 'Traffic Sign Frame',
    'Utility Pole', 'Traffic Light', 'Traffic Sign (Back)',
    'Traffic Sign (Front)', 'Trash Can', 'Bicycle', 'Boat', 'Bus', 'Car',
    'Caravan', 'Motorcycle', 'On Rails', 'Other Vehicle', 'Trailer',
    'Truck', 'Wheeled Slow'))
train_dataloader = dict(
    dataset=dict(
        type='MapillaryDataset_v1',
        metainfo=mapillary63,
        data_root='data/mapillary/',
        data_prefix=dict(
            img_path='training/images', seg_map_path='training/v1.2/labels')))
val_dataloader = dict(
    dataset=dict(
        type='MapillaryDataset_v1',
        metainfo=mapillary63,
        data_root='data/mapillary/',
        data_prefix=dict(
            img_path='validation/images',
            seg_map_path='validation/v1.2/labels')))
test_dataloader = val_dataloader
