# Copyright (c) mmseg-unify contributors. All rights reserved.
"""MMSeg's data preprocessor plus LAD's noised label channel."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS
from .label_noise import noise_labels

TEST_LABELS = ('noised', 'zeros')


@MODELS.register_module()
class LabelNoisingDataPreprocessor(SegDataPreProcessor):
    """``SegDataPreProcessor`` that appends a noised label channel (LAD).

    After the usual collation, BGR→RGB swap, normalisation and padding, the
    label channel is built from each sample's final ``gt_sem_seg`` (after
    crop, flip and padding, so it is aligned with the image) by
    :func:`~mmseg_unify.models.label_noise.noise_labels` and concatenated:
    the model input has 4 channels. It is on the scale of the normalised image
    (no ×100 as in the official code, whose images are only mean-subtracted);
    ``scale`` changes that.

    At inference (``training=False``) ``test_label`` chooses the channel:
    ``'noised'`` (teacher evaluation *with* labels, as the paper's Tab. 1; the
    ground truth is resized to the network input and padded with the ignore
    index) or ``'zeros'`` (without labels, as the official code evaluates).

    Dual-path training draws a second, independent channel through
    :meth:`label_channel`, so noising lives in this class only.

    Args:
        num_classes (int): Number of classes of the labels.
        class_wise (bool): Class-wise noise on. Default: True.
        pixel_wise (bool): Pixel-wise noise on. Default: True.
        beta (float): Pixel-wise noise level. Default: 0.01 (paper).
        scale (float): Multiplier of the channel. Default: 1.0.
        alpha_cfg (dict, optional): Distribution of the class-wise values:
            ``dict(dist='normal', std=1.0)`` (default, paper) or
            ``dict(dist='uniform', low=-1., high=1.)``.
        fixed_alphas (Sequence[float], optional): A fixed class-wise table
            of ``num_classes + 1`` values (last: ignore) instead of fresh
            draws, as the official distillation code uses.
        test_label (str): ``'noised'`` or ``'zeros'``. Default: 'noised'.
        **kwargs: Arguments of :class:`SegDataPreProcessor`.
    """

    def __init__(self,
                 num_classes: int,
                 class_wise: bool = True,
                 pixel_wise: bool = True,
                 beta: float = 0.01,
                 scale: float = 1.0,
                 alpha_cfg: Optional[dict] = None,
                 fixed_alphas: Optional[Sequence[float]] = None,
                 test_label: str = 'noised',
                 **kwargs):
        super().__init__(**kwargs)
        if test_label not in TEST_LABELS:
            raise ValueError('LabelNoisingDataPreprocessor: test_label must '
                             f'be one of {TEST_LABELS}, got {test_label!r}')
        if fixed_alphas is not None and len(fixed_alphas) != num_classes + 1:
            raise ValueError(
                'LabelNoisingDataPreprocessor: fixed_alphas needs '
                f'num_classes + 1 = {num_classes + 1} values (the last for '
                f'ignored pixels), got {len(fixed_alphas)}')
        self.num_classes = num_classes
        self.noise_cfg = dict(
            class_wise=class_wise, pixel_wise=pixel_wise, beta=beta,
            scale=scale, alpha_cfg=alpha_cfg)
        self.fixed_alphas = None if fixed_alphas is None else torch.tensor(
            fixed_alphas, dtype=torch.float32)
        self.test_label = test_label

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess like MMSeg, then append the label channel.

        Args:
            data (dict): A collated batch (``inputs``, ``data_samples``).
            training (bool): Whether this is a training step.

        Returns:
            dict: ``inputs`` of shape (B, 4, H, W) and ``data_samples``.
        """
        out = super().forward(data, training)
        inputs = out['inputs']
        if training or self.test_label == 'noised':
            channel = self.label_channel(out['data_samples'], inputs.shape)
        else:
            channel = inputs.new_zeros(inputs[:, :1].shape)
        out['inputs'] = torch.cat([inputs, channel], dim=1)
        return out

    def label_channel(self, data_samples: List, shape) -> Tensor:
        """A freshly noised label channel for a batch.

        Args:
            data_samples (list[SegDataSample]): Samples with ``gt_sem_seg``.
            shape (torch.Size): Shape (B, C, H, W) of the image batch.

        Returns:
            Tensor: (B, 1, H, W) channel on the batch's device.
        """
        labels = self._batch_labels(data_samples, shape[-2:])
        return noise_labels(
            labels, self.num_classes, ignore_index=self.seg_pad_val,
            alphas=self.fixed_alphas, **self.noise_cfg)

    def _batch_labels(self, data_samples: List, size) -> Tensor:
        """Stack the labels, resized to the unpadded image and padded."""
        if not data_samples or any('gt_sem_seg' not in s
                                   for s in data_samples):
            raise ValueError(
                'LabelNoisingDataPreprocessor: a sample has no gt_sem_seg. '
                "The label channel needs ground truth; use test_label='zeros'"
                ' for inference without labels.')
        return torch.stack([self._fit(s, size) for s in data_samples])

    def _fit(self, sample, size) -> Tensor:
        """One label map at the network input's size (B-less, long).

        In training MMSeg has already padded ``gt_sem_seg`` with the image. At
        test time the ground truth is at the original size: it is resized
        (nearest) to the network input and padded like the image.
        """
        label = sample.gt_sem_seg.data.to(self.device)
        if tuple(label.shape[-2:]) == tuple(size):
            return label[0].long()
        img_shape = tuple(sample.metainfo.get('img_shape', label.shape[-2:]))
        if tuple(label.shape[-2:]) != img_shape:
            label = F.interpolate(label[None].float(), size=img_shape,
                                  mode='nearest')[0].long()
        pad_h, pad_w = size[0] - label.shape[-2], size[1] - label.shape[-1]
        if pad_h or pad_w:
            label = F.pad(label, (0, pad_w, 0, pad_h), value=self.seg_pad_val)
        return label[0].long()
