# MMSeg's own PSPNet-R18 (mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-
# 512x1024.py, unchanged network) put on the built-in demo data: one base, then
# every key that names Cityscapes, GPUs or a download is overridden here.
#
# Why one base: `_base_ = [<this MMSeg config>, '../_base_/datasets/
# demo_urban.py']` fails with mmengine's "Duplicate key is not allowed among
# bases" (both define train_dataloader, crop_size, ...). Only bases are checked
# for duplicates; what a config sets itself overrides its base, key by key.
# docs/en/lad.md ("Your own model") lists the keys and why each one changes.
_base_ = ['mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py']

# 1. register mmseg_unify's components (DemoUrbanDataset, the LAD models);
#    MMSeg's runtime already sets default_scope = 'mmseg'
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)

# 2. the model: 12 demo classes, the demo crop, no download, plain BN
num_classes = 12
crop_size = (128, 128)
norm_cfg = dict(type='BN', requires_grad=True)  # SyncBN needs CUDA
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,  # pads every batch to the crop
    pretrained=None,  # MMSeg: open-mmlab://resnet18_v1c (ImageNet download)
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(num_classes=num_classes, norm_cfg=norm_cfg),
    auxiliary_head=dict(num_classes=num_classes, norm_cfg=norm_cfg))

# 3. the data: configs/_base_/datasets/demo_urban.py, key by key (MMSeg's
#    Cityscapes pipelines resize to 2048x1024 and crop 512x1024)
dataset_type = 'DemoUrbanDataset'  # generated into data/demo on first use
data_root = 'data/demo/demo_urban'
img_scale = (256, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=img_scale,
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
tta_pipeline = [  # used by tools/test.py --tta
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale_factor=r, keep_ratio=True)
             for r in img_ratios],
            [dict(type='RandomFlip', prob=0., direction='horizontal'),
             dict(type='RandomFlip', prob=1., direction='horizontal')],
            [dict(type='LoadAnnotations')],
            [dict(type='PackSegInputs')]
        ])
]
# the pipelines were copied into the dataloaders when the base was read:
# set them again here, with the dataset
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# 4. the schedule: 1k iterations on one CPU (MMSeg: 80k on 4 GPUs x 2 images),
#    the demo's learning rate for a network trained from scratch
optimizer = dict(lr=0.05)
optim_wrapper = dict(optimizer=optimizer)
param_scheduler = [  # a list is replaced, not merged: give all of it
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=1000,
        by_epoch=False)
]
train_cfg = dict(max_iters=1000, val_interval=250)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=250, max_keep_ckpts=2, save_best='mIoU'))

# 5. the runtime: gloo, so that `torchrun --nproc_per_node=2` also runs on CPU
#    (tools/train.py sets it up); seeded like the demo configs
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
