# Ordinary (RGB-only) DeepLabV3 teacher on the demo data: the "stronger
# teacher" of the CWD baseline (paper Tab. 1 uses DeepLabV3-R101).
_base_ = [
    '../_base_/models/demo_deeplabv3_r18-w32.py',
    '../_base_/datasets/demo_urban.py', '../_base_/demo_runtime.py',
    '../_base_/schedules/schedule_demo_1k.py'
]
