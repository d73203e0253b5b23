# Fine-tuning of the Naive Student baseline: as
# unify-student-finetune_fcn_r18-w16-d8_1xb4-500_demo-urban-128x128.py,
# starting from the Naive Student's best checkpoint.
_base_ = [
    './unify-student-finetune_fcn_r18-w16-d8_1xb4-500_demo-urban-128x128.py'
]
load_from = ('work_dirs/'
             'naive-student_fcn_r18-w16-d8_1xb4-2k_demo-urban-unified-128x128')
