# PSPNet-R18 on PASCAL VOC 2012 aug (MMSeg has no R18 config for VOC):
# MMSeg's R50 config with the changes MMSeg makes for its R18 configs.
_base_ = ['mmseg::pspnet/pspnet_r50-d8_4xb4-40k_voc12aug-512x512.py']

model = dict(
    pretrained='open-mmlab://resnet18_v1c',
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
# our tools' checkpoint allow-list (torch>=2.6) when run by stock MMSeg tools
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
