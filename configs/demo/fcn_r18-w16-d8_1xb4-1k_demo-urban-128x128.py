# Undistilled CPU baseline on the demo data: the foundation's main job.
_base_ = [
    '../_base_/models/demo_fcn_r18-w16.py',
    '../_base_/datasets/demo_urban.py', '../_base_/demo_runtime.py',
    '../_base_/schedules/schedule_demo_1k.py'
]
