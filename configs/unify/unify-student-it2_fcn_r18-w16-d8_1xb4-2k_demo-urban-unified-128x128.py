# Second iteration (paper §III: "the fully trained student model can
# optionally become the teacher"): the fine-tuned unified student labels the
# extras again and a fresh student trains on them. Same model, schedule and
# early stopping as the first iteration; only the pseudo-label folders
# differ. The paper found no further gain (Tab. II-III).
#
#   FT=unify-student-finetune_fcn_r18-w16-d8_1xb4-500_demo-urban-128x128
#   CKPT=$(ls -t work_dirs/$FT/best_*.pth | head -1)
#   for x in demo_coarse demo_split; do
#     python tools/pseudo_label.py configs/unify/$FT.py $CKPT \
#         --extra configs/unify/datasets/${x}_extra.py \
#         --out work_dirs/pseudo_labels_it2/$x
#   done
#   python tools/train.py THIS_CONFIG
# then fine-tune as in iteration 1 with load_from=work_dirs/<this config>.
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
                seg_map_path='work_dirs/pseudo_labels_it2/demo_coarse'),
            pipeline={{_base_.train_pipeline}}),
        dict(
            type='DemoUrbanDataset',
            data_prefix=dict(
                img_path='data/demo/demo_split/img_dir/train',
                seg_map_path='work_dirs/pseudo_labels_it2/demo_split'),
            pipeline={{_base_.train_pipeline}}),
    ]))
