# The demo unified training set (paper §III, student training): demo_urban
# train with its ground truth, plus demo_coarse train and demo_split train
# with the pseudo-labels tools/pseudo_label.py wrote for them (demo_urban
# train ids, 255 = unlabelled) instead of their own labels. Every part gets
# the normal demo training pipeline; the sampler draws from the union.
# Validation and test: demo_urban val (early stopping follows it).
#
# A pseudo-label folder mirrors the image folder (image suffix replaced by
# '.png'), so a pseudo-labelled extra is an ordinary demo_urban dataset with
# img_path = the extra's images and seg_map_path = the --out folder. Paths
# are relative to the repository root, like data_root. The defaults are the
# README workflow's --out folders; tools/unify_demo.py passes its own with
#   --cfg-options train_dataloader.dataset.datasets.1.data_prefix.\
#       seg_map_path=DIR
_base_ = ['../../_base_/datasets/demo_urban.py']

demo_urban_train = {{_base_.train_dataloader.dataset}}
demo_coarse_pseudo = dict(
    type='DemoUrbanDataset',
    data_prefix=dict(
        img_path='data/demo/demo_coarse/img_dir/train',
        seg_map_path='work_dirs/pseudo_labels/demo_coarse'),
    pipeline={{_base_.train_pipeline}})
demo_split_pseudo = dict(
    type='DemoUrbanDataset',
    data_prefix=dict(
        img_path='data/demo/demo_split/img_dir/train',
        seg_map_path='work_dirs/pseudo_labels/demo_split'),
    pipeline={{_base_.train_pipeline}})
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[demo_urban_train, demo_coarse_pseudo, demo_split_pseudo]))
