# A CPU-sized DeepLabV3 student: the demo ResNetV1c-18 at 1/4 width
# (16..128 channels, output stride 8) with the ASPP head of the demo
# DeepLabV3-R18-w32 teacher at half its input width.
_base_ = ['./demo_deeplabv3_r18-w32.py']
model = dict(
    backbone=dict(stem_channels=16, base_channels=16),
    decode_head=dict(in_channels=128),
    auxiliary_head=dict(in_channels=64, channels=32))
