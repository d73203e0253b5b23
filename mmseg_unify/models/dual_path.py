# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LAD teacher: an ``EncoderDecoder`` trained with dual-path consistency."""
from typing import Optional, Tuple

import torch
from torch import Tensor

from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import SampleList, add_prefix
from .inflate import enable_rgb_weight_inflation
from .losses import ChannelWiseDivergence


@MODELS.register_module()
class DualPathConsistencySegmentor(EncoderDecoder):
    """LAD teacher (paper §3.2, eq. 7): image + noised label, two paths.

    The backbone takes 4 channels (``in_channels=4``); RGB checkpoints load
    into channels 0–2 of its first conv and the label channel is initialised
    explicitly (:mod:`.inflate`). The data preprocessor must be
    ``LabelNoisingDataPreprocessor``: it appends path 1's noised label, and
    path 2's independent one is drawn from it too.

    In training both paths run through the same weights; each gets the
    segmentation losses of the decode and auxiliary heads (keys ``path1.*``,
    ``path2.*``), and ``loss_consistency = weight · [CWD(o1, o2.detach()) +
    CWD(o2, o1.detach())]`` on the two decode logits before upsampling.
    ``batched=True`` runs both paths as one batch of 2B: faster, but the
    BatchNorm statistics are then computed over both paths together (the
    two-pass default normalises each path on its own). ``dual_path=False``
    trains one noised path only (the ablation without consistency).
    Prediction is :class:`EncoderDecoder`'s, on the preprocessor's
    ``test_label`` channel (noised ground truth or zeros).

    Call graph::

        loss(inputs, data_samples)             # inputs: image + label 1
         ├─ _second_path(inputs)               # image + fresh label 2
         ├─ extract_feat(path 1), extract_feat(path 2)   # or one 2B batch
         ├─ _path_losses(x_i) for i in 1, 2
         │   ├─ decode_head.forward -> logits_i, decode_head.loss_by_feat
         │   └─ _auxiliary_head_forward_train
         └─ consistency(logits_1, logits_2)    # symmetric CWD
        predict / _forward / encode_decode: EncoderDecoder's

    Args:
        consistency_weight (float): Weight of the consistency loss.
            Default: 1.0 (paper; the official code uses 5).
        consistency_tau (float): CWD temperature. Default: 4.0 (official
            code; the paper does not state it).
        batched (bool): One 2B forward instead of two passes. Default: False.
        dual_path (bool): Train two paths with consistency. Default: True.
        label_channel_init (str): Init of the label input channel when RGB
            weights load: ``'normal'`` (default) or ``'zeros'``.
        label_channel_std (float): Its std for ``'normal'``. Default: 0.1.
        **kwargs: Arguments of :class:`EncoderDecoder`.
    """

    def __init__(self,
                 consistency_weight: float = 1.0,
                 consistency_tau: float = 4.0,
                 batched: bool = False,
                 dual_path: bool = True,
                 label_channel_init: str = 'normal',
                 label_channel_std: float = 0.1,
                 **kwargs):
        super().__init__(**kwargs)
        if not hasattr(self.data_preprocessor, 'label_channel'):
            raise ValueError(
                'DualPathConsistencySegmentor needs data_preprocessor='
                "dict(type='LabelNoisingDataPreprocessor', ...), got "
                f'{type(self.data_preprocessor).__name__}')
        enable_rgb_weight_inflation(self.backbone, label_channel_init,
                                    label_channel_std)
        self.consistency = ChannelWiseDivergence(
            tau=consistency_tau, loss_weight=consistency_weight)
        self.batched = batched
        self.dual_path = dual_path

    def _second_path(self, inputs: Tensor, data_samples: SampleList):
        """The same images with an independently noised label channel."""
        channel = self.data_preprocessor.label_channel(data_samples,
                                                       inputs.shape)
        return torch.cat([inputs[:, :-1], channel], dim=1)

    def _features(self, inputs: Tensor, data_samples: SampleList):
        """Features of both paths, two passes or one batch of 2B."""
        second = self._second_path(inputs, data_samples)
        if not self.batched:
            return self.extract_feat(inputs), self.extract_feat(second)
        feats = self.extract_feat(torch.cat([inputs, second]))
        n = inputs.shape[0]
        return [f[:n] for f in feats], [f[n:] for f in feats]

    def _path_losses(self, x, data_samples: SampleList) -> Tuple[dict,
                                                                 Tensor]:
        """Decode (+ auxiliary) losses of one path and its decode logits."""
        logits = self.decode_head.forward(x)
        losses = add_prefix(
            self.decode_head.loss_by_feat(logits, data_samples), 'decode')
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses, logits

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of both paths and the consistency between them.

        Args:
            inputs (Tensor): (N, 4, H, W): image and path 1's label channel.
            data_samples (list[SegDataSample]): With ``gt_sem_seg``.

        Returns:
            dict[str, Tensor]: ``path1.*``, ``path2.*``, ``loss_consistency``
            (or the plain losses with ``dual_path=False``).
        """
        if not self.dual_path:
            return super().loss(inputs, data_samples)
        x1, x2 = self._features(inputs, data_samples)
        losses1, o1 = self._path_losses(x1, data_samples)
        losses2, o2 = self._path_losses(x2, data_samples)
        losses = {**add_prefix(losses1, 'path1'),
                  **add_prefix(losses2, 'path2')}
        losses['loss_consistency'] = self.consistency(
            o1, o2.detach()) + self.consistency(o2, o1.detach())
        return losses

    @property
    def label_input(self) -> Optional[str]:
        """What the model predicts with: ``'noised'`` or ``'zeros'``."""
        return getattr(self.data_preprocessor, 'test_label', None)
