# Shared part of the real extra datasets as pseudo-labelling input. Every
# image is first resized to fit 2048x1024 (the test scale of the urban and
# off-road sources), then the paper's test-time augmentation follows:
# horizontal flips x scales 0.5 .. 2.0. The label file is loaded inside
# TestTimeAug after the resizes, so it keeps the original size, and
# TaxonomySegDataset(raw_ids=True) keeps the raw ids the ontology map needs.
#
# 16 bit: MMSeg's LoadAnnotations casts label files to uint8; the extras are
# loaded with LoadAnnotations16Bit, so raw ids above 255 stay exact (every
# extra taxonomy shipped here has ids <= 255: TAS500 uses 255 for its class
# puddle, ApolloScape, BDD and COCO for void). Every source taxonomy has
# fewer than 255 classes (cityscapes 19, mapillary 63, offroad 34), so the
# pseudo-labels are uint8.
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
            [dict(type='LoadAnnotations16Bit')],
            [dict(type='PackSegInputs')]
        ])
]
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='TaxonomySegDataset', raw_ids=True, pipeline=tta_pipeline))
