# Pseudo-labelling as a plain MMSeg config (the same run tools/pseudo_label.py
# composes): the demo FCN teacher, wrapped in the ontology-constrained TTA
# model, labels demo_coarse's train split in the demo_urban taxonomy.
#
#   python tools/test.py \
#       configs/unify/pseudo-label_fcn-r18-w16_demo-urban_to_demo-coarse.py \
#       work_dirs/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128/iter_1000.pth
#   # or several processes: bash tools/dist_test.sh THIS_CONFIG CKPT 2
# The teacher's parts (model, runtime, schedule) without its dataset base.
_base_ = [
    '../_base_/models/demo_fcn_r18-w16.py', '../_base_/demo_runtime.py',
    '../_base_/schedules/schedule_demo_1k.py',
    './datasets/demo_coarse_extra.py'
]
model = dict(
    _delete_=True,
    type='OntologyConstrainedTTAModel',
    module={{_base_.model}},
    ontology={{_base_.ontology_map}},
    priors=True,  # False: Naive Student baseline
    void_threshold=0.5)
test_evaluator = []  # nothing to score: the hook writes the labels
train_cfg = None  # test-only config
val_cfg = None
optim_wrapper = None
param_scheduler = None
custom_hooks = [
    dict(
        type='OntologyConstrainedInference',
        out_dir='work_dirs/pseudo_labels/demo_coarse',
        num_panels=4)
]
