# Teacher of the urban setting with the Mapillary Vistas source (paper
# §IV-A): SegFormer-B5 as in MMSeg's Cityscapes config, trained on Mapillary
# Vistas v1.2 in the 63-class taxonomy of the ontology maps
# (ontology_maps/taxonomies/mapillary.yaml: raw ids 0..62 of v1.2; car
# mount, ego vehicle and unlabeled (63..65) are ignored). MMSeg's
# MapillaryDataset_v1 and its data layout, with the class subset below.
_base_ = [
    'mmseg::segformer/segformer_mit-b5_8xb1-160k_cityscapes-1024x1024.py'
]
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
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
model = dict(decode_head=dict(num_classes=63))
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
