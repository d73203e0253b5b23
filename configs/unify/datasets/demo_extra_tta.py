# Shared part of the demo extra datasets for pseudo-labelling: the teacher's
# test-time augmentation (paper: flips x scales 0.5 .. 2.0). The label file is
# loaded inside TestTimeAug *after* Resize/RandomFlip, as in MMSeg's own
# tta_pipeline, so it keeps the original size; the dataset has no label_map,
# so it keeps the extra taxonomy's raw ids, which the ontology map needs.
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
            [dict(type='LoadAnnotations')],
            [dict(type='PackSegInputs')]
        ])
]
extra_dataset = dict(
    type='BaseSegDataset',  # no METAINFO, no label_map: raw label ids
    img_suffix='.png',
    seg_map_suffix='.png',
    pipeline=tta_pipeline)
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=extra_dataset)
