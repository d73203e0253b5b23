# Cityscapes leftImg8bit_sequence (the 30-frame snippets around the
# finely annotated frames; train: 89,250 images), Naive Student's own extra
# data: no ground truth, optionally a prior mask (the ego vehicle). Images
# without labels use the taxonomy ontology_maps/taxonomies/unlabelled.yaml:
# maps unlabelled_to_<source> (cityscapes, mapillary, offroad) allow every
# source class where there is no mask and none where there is.
#   data/cityscapes/leftImg8bit_sequence/train/<city>/
#       <city>_<seq>_<frame>_leftImg8bit.png
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology unlabelled_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/cityscapes_sequence
# -> <out>/<city>/<city>_<seq>_<frame>.png (255 where masked).
#
# Prior mask (optional; paths relative to data_root), one of:
#   one file for all images, or one per city ('{folder}' = the city):
#     --cfg-options test_dataloader.dataset.prior_mask=ego_vehicle/{folder}.png
#   one per image (<seg_map_path>/<city>/<city>_<seq>_<frame><suffix>):
#     --cfg-options test_dataloader.dataset.data_prefix.seg_map_path=MASKS \
#         test_dataloader.dataset.seg_map_suffix=_mask.png
# A mask is a PNG of the image's size; non-zero pixels are masked. How to
# make the ego-vehicle masks: docs/en/dataset_preparation_urban.md.
# Outside the mask the labels are the teacher's argmax (Naive Student), the
# same as with `--no-priors`, which labels the masked pixels as well.
#
# TTA as the other real extras (extra_tta_2048x1024.py): resized to fit
# 2048x1024, then flips x scales 0.5 .. 2.0; the label is made inside
# TestTimeAug by LoadPriorMask (where LoadAnnotations stands for labelled
# extras), at the original size.
ontology_map = 'unlabelled_to_cityscapes'
img_scale = (2048, 1024)
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
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
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='UnlabelledDataset',
        data_root='data/cityscapes',
        data_prefix=dict(img_path='leftImg8bit_sequence/train'),
        img_suffix='_leftImg8bit.png',
        prior_mask=None,
        pipeline=tta_pipeline))
