# LAD student: PSPNet-R50 distilled from the LAD teacher PSPNet-R50*
# (image + noised label) of
# configs/lad/lad-teacher_pspnet_r50-d8_4xb4-20k_coco-stuff10k-512x512.py.
# Paper (Tab. 5, COCO-Stuff 10k test): 35.7 -> 36.0 mIoU.
# Train the teacher first: its default work dir is used (best_*.pth, else
# the last checkpoint).
_base_ = ['mmseg::pspnet/pspnet_r50-d8_4xb4-20k_coco-stuff10k-512x512.py']

custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='CWDDistiller',
    student={{_base_.model}},
    teacher_cfg='mmseg_unify::lad/lad-teacher_pspnet_r50-d8_4xb4-20k_coco-stuff10k-512x512.py',  # noqa: E501
    teacher_ckpt='work_dirs/lad-teacher_pspnet_r50-d8_4xb4-20k_coco-stuff10k-512x512',  # noqa: E501
    distill_loss=dict(type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0))
