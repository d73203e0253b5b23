# Naive Student baseline (paper Tab. II-III, "without priors"): the unified
# student with the same model, schedule and early stopping, trained on
# pseudo-labels made without the ontology constraint
# (`tools/pseudo_label.py ... --no-priors`). Only the two pseudo-label
# folders differ from
# unify-student_fcn_r18-w16-d8_1xb4-2k_demo-urban-unified-128x128.py.
_base_ = [
    './unify-student_fcn_r18-w16-d8_1xb4-2k_demo-urban-unified-128x128.py'
]
train_dataloader = dict(
    dataset=dict(datasets=[
        {{_base_.demo_urban_train}},
        dict(
            type='DemoUrbanDataset',
            data_prefix=dict(
                img_path='data/demo/demo_coarse/img_dir/train',
                seg_map_path='work_dirs/pseudo_labels/demo_coarse_no_priors'),
            pipeline={{_base_.train_pipeline}}),
        dict(
            type='DemoUrbanDataset',
            data_prefix=dict(
                img_path='data/demo/demo_split/img_dir/train',
                seg_map_path='work_dirs/pseudo_labels/demo_split_no_priors'),
            pipeline={{_base_.train_pipeline}}),
    ]))
