# Ablation (paper Tab. 8): the demo LAD teacher trained on one noised path,
# without the dual-path consistency loss.
_base_ = ['./lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py']

model = dict(dual_path=False)
