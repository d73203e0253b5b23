# Demo variant of cityscapes_sequence_unlabelled.py (used by
# tests/test_unlabelled_extra.py): small images in the Cityscapes sequence
# layout, no ground truth, the demo teacher's taxonomy demo_urban, and the
# demo test-time augmentation (no resize to 2048x1024 first):
#   <data_root>/leftImg8bit_sequence/train/<city>/
#       <city>_<seq>_<frame>_leftImg8bit.png
#   python tools/pseudo_label.py \
#       configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py CKPT \
#       --extra THIS_CONFIG --out work_dirs/pseudo_labels/demo_sequence \
#       --cfg-options test_dataloader.dataset.data_root=DIR \
#       test_dataloader.dataset.prior_mask=ego_mask.png
_base_ = ['./cityscapes_sequence_unlabelled.py']
ontology_map = 'unlabelled_to_demo_urban'
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale_factor=r, keep_ratio=True)
             for r in img_ratios],
            [dict(type='RandomFlip', prob=0., direction='horizontal'),
             dict(type='RandomFlip', prob=1., direction='horizontal')],
            [dict(type='LoadPriorMask')],
            [dict(type='PackSegInputs')]
        ])
]
test_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root='data/demo/sequence', pipeline=tta_pipeline))
