# Copyright (c) mmseg-unify contributors. All rights reserved.
"""MMSeg's data preprocessor plus LAD's noised label channel."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS
from .label_noise import (fixed_alpha_table, noise_any_labels, noise_labels,
                          zero_channel)

TEST_LABELS = ('noised', 'zeros')
LABEL_IDS = ('classes', 'any')


@MODELS.register_module()
class LabelNoisingDataPreprocessor(SegDataPreProcessor):
    """``SegDataPreProcessor`` that appends a noised label channel (LAD).

    After MMSeg's own collation, BGR→RGB swap, normalisation and padding
    (``super().forward``), the label channel is built from each sample's
    final ``gt_sem_seg`` and concatenated: the model input has 4 channels.

    * Training: ``gt_sem_seg`` has been cropped, flipped and padded (with
      ``seg_pad_val``) together with the image, so it is used as it is.
    * Inference: MMSeg's test pipelines load the ground truth *after* the
      geometric transforms, at the original size. It is resized (nearest) to
      the network input (``img_shape``), flipped if the sample was flipped
      (``flip``/``flip_direction``, test-time augmentation) and padded with
      the ignore index where the image was padded (``test_cfg`` size or
      size divisor).

    The noising itself is :func:`~mmseg_unify.models.label_noise.noise_labels`
    (class-wise + pixel-wise, vectorised). The channel is on the scale of the
    normalised image (no ×100 as in the official code, whose images are only
    mean-subtracted); ``scale`` changes that.

    At inference ``test_label`` chooses the channel: ``'noised'`` (teacher
    evaluation *with* labels, the paper's Tab. 1; needs ``gt_sem_seg``) or
    ``'zeros'`` (without labels, as the official code evaluates; works for
    samples without ground truth).

    One place for the noising: the dual-path segmentor (a second path), the
    distiller (the teacher's input) and the mKL metric (K draws) ask this
    object for more independently noised channels of the same batch through
    :meth:`noised_channels`; nothing else draws label noise.

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
            of ``num_classes + 1`` values (last: ignore) used for every image
            instead of fresh draws (the official distillation code does so).
        alpha_seed (int, optional): Like ``fixed_alphas``, but the table is
            drawn once from ``alpha_cfg`` with this seed.
        test_label (str): ``'noised'`` or ``'zeros'``. Default: 'noised'.
        label_ids (str): ``'classes'``: labels are ``0..num_classes - 1``
            plus the ignore index (checked); ``'any'``: labels may be raw
            ids of another taxonomy (e.g. an extra dataset's own labels
            while pseudo-labelling), noised with one value per distinct id
            per image (:func:`~.label_noise.noise_any_labels`; class-wise
            noise only, no fixed table). Default: 'classes'.
        **kwargs: Arguments of :class:`SegDataPreProcessor` (``mean``,
            ``std``, ``size``, ``seg_pad_val``, ``test_cfg``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 class_wise: bool = True,
                 pixel_wise: bool = True,
                 beta: float = 0.01,
                 scale: float = 1.0,
                 alpha_cfg: Optional[dict] = None,
                 fixed_alphas: Optional[Sequence[float]] = None,
                 alpha_seed: Optional[int] = None,
                 test_label: str = 'noised',
                 label_ids: str = 'classes',
                 **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if test_label not in TEST_LABELS:
            raise ValueError(f'{name}: test_label must be one of '
                             f'{TEST_LABELS}, got {test_label!r}')
        if label_ids not in LABEL_IDS:
            raise ValueError(f'{name}: label_ids must be one of {LABEL_IDS}, '
                             f'got {label_ids!r}')
        if label_ids == 'any' and (not class_wise or fixed_alphas is not None
                                   or alpha_seed is not None):
            raise ValueError(
                f"{name}: label_ids='any' needs class_wise=True and no "
                'fixed_alphas/alpha_seed (ids of another taxonomy have no '
                'order and no fixed table)')
        if fixed_alphas is not None and alpha_seed is not None:
            raise ValueError(f'{name}: give fixed_alphas or alpha_seed, '
                             'not both')
        if fixed_alphas is not None and len(fixed_alphas) != num_classes + 1:
            raise ValueError(
                f'{name}: fixed_alphas needs num_classes + 1 = '
                f'{num_classes + 1} values (the last for ignored pixels), '
                f'got {len(fixed_alphas)}')
        self.num_classes = num_classes
        # Padding and ignored pixels share ``seg_pad_val`` (MMSeg: 255) and
        # get their own class-wise value.
        self.ignore_index = self.seg_pad_val
        self.noise_cfg = dict(
            class_wise=class_wise, pixel_wise=pixel_wise, beta=beta,
            scale=scale, alpha_cfg=alpha_cfg)
        if alpha_seed is not None:
            self.fixed_alphas = fixed_alpha_table(num_classes, alpha_seed,
                                                  **(alpha_cfg or {}))
        elif fixed_alphas is not None:
            self.fixed_alphas = torch.tensor(fixed_alphas,
                                             dtype=torch.float32)
        else:
            self.fixed_alphas = None
        self.test_label = test_label
        self.label_ids = label_ids

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
            channel = self.noised_channels(out['data_samples'],
                                           inputs.shape, 1, training)[0]
        else:
            channel = zero_channel(inputs)
        out['inputs'] = torch.cat([inputs, channel], dim=1)
        return out

    def noised_channels(self,
                        data_samples: List,
                        shape,
                        num: int = 1,
                        training: Optional[bool] = None) -> List[Tensor]:
        """``num`` independently noised label channels of a batch.

        Args:
            data_samples (list[SegDataSample]): Samples with ``gt_sem_seg``
                (as returned by :meth:`forward`).
            shape (torch.Size): Shape (B, C, H, W) of the network input.
            num (int): Number of independent draws. Default: 1.
            training (bool, optional): Whether the samples come from a
                training step (labels already aligned) or not (labels to
                resize, flip and pad). Default: the module's ``training``
                flag (``model.train()`` / ``model.eval()``).

        Returns:
            list[Tensor]: ``num`` channels of shape (B, 1, H, W).
        """
        if training is None:
            training = self.training
        labels = self.batch_labels(data_samples, shape[-2:], training)
        if self.label_ids == 'any':
            cfg = {k: v for k, v in self.noise_cfg.items()
                   if k != 'class_wise'}
            return [noise_any_labels(labels, **cfg) for _ in range(num)]
        return [
            noise_labels(labels, self.num_classes,
                         ignore_index=self.ignore_index,
                         alphas=self.fixed_alphas, **self.noise_cfg)
            for _ in range(num)
        ]

    def label_channel(self, data_samples: List, shape) -> Tensor:
        """One freshly noised label channel (see :meth:`noised_channels`)."""
        return self.noised_channels(data_samples, shape)[0]

    def batch_labels(self,
                     data_samples: List,
                     size,
                     training: bool = True) -> Tensor:
        """The labels of a batch aligned with the network input.

        Args:
            data_samples (list[SegDataSample]): Samples with ``gt_sem_seg``.
            size (tuple[int, int]): (H, W) of the network input.
            training (bool): Labels of a training batch (aligned by the
                pipeline and ``SegDataPreProcessor``) or of an inference
                batch (see the class docstring). Default: True.

        Returns:
            Tensor: (B, H, W) long labels, padding = ``seg_pad_val``.

        Raises:
            ValueError: If a sample has no ``gt_sem_seg``.
        """
        if not data_samples or any('gt_sem_seg' not in s
                                   for s in data_samples):
            raise ValueError(
                f'{type(self).__name__}: a sample has no gt_sem_seg, but the '
                'label channel needs ground truth (training, or inference '
                "with test_label='noised'). Use test_label='zeros' for "
                'inference without labels.')
        return torch.stack(
            [self._fit(s, tuple(size), training) for s in data_samples])

    def _fit(self, sample, size, training: bool) -> Tensor:
        """One label map at the network input's size, (H, W) long."""
        label = sample.gt_sem_seg.data.to(self.device)
        if training:
            # cropped, flipped and padded with the image already
            if tuple(label.shape[-2:]) != size:
                raise ValueError(
                    f'{type(self).__name__}: training gt_sem_seg of shape '
                    f'{tuple(label.shape[-2:])} differs from the input {size}')
            return label[0].long()
        # inference: ground truth at the original size and orientation
        img_shape = tuple(sample.metainfo.get('img_shape', label.shape[-2:]))
        if tuple(label.shape[-2:]) != img_shape:
            label = F.interpolate(label[None].float(), size=img_shape,
                                  mode='nearest')[0]
        label = label.long()
        if sample.metainfo.get('flip', False):
            direction = sample.metainfo.get('flip_direction', 'horizontal')
            dims = {'horizontal': [-1], 'vertical': [-2],
                    'diagonal': [-2, -1]}[direction]
            label = label.flip(dims)
        pad_h, pad_w = size[0] - label.shape[-2], size[1] - label.shape[-1]
        if pad_h < 0 or pad_w < 0:
            raise ValueError(
                f'{type(self).__name__}: gt_sem_seg of shape '
                f'{tuple(label.shape[-2:])} does not fit the network input '
                f'{size}')
        if pad_h or pad_w:
            label = F.pad(label, (0, pad_w, 0, pad_h), value=self.seg_pad_val)
        return label[0]
