# FCN-R18-w16 student of the LAD family benchmark (tools/benchmark_lad.py),
# trained without distillation: the baseline row of the table.
_base_ = [
    '../_base_/models/demo_fcn_r18-w16.py',
    './_base_/benchmark_1xb4-600_demo-urban-96x96.py'
]
model = dict(data_preprocessor=dict(size={{_base_.crop_size}}))
