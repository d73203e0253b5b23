# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LAD teacher: a segmentor trained with dual-path consistency."""
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn

from mmseg.models.segmentors import CascadeEncoderDecoder, EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import SampleList, add_prefix
from .inflate import enable_rgb_weight_inflation
from .losses import ChannelWiseDivergence
from .utils import capture_outputs, logits_layer


def check_label_classes(segmentor) -> None:
    """Refuse a label channel built for another number of classes than the
    decode head predicts (found at build time, not at the first iteration).

    Auxiliary heads may predict other classes (e.g. STDC's 2-class detail
    head); the label ids are the decode head's.

    Args:
        segmentor: A segmentor with a ``LabelNoisingDataPreprocessor``.

    Raises:
        ValueError: Naming both values and their config keys.
    """
    noised = segmentor.data_preprocessor.num_classes
    head, key = segmentor.decode_head, 'model.decode_head'
    if isinstance(head, nn.ModuleList):  # cascade: the last stage predicts
        head, key = head[-1], f'model.decode_head[{len(head) - 1}]'
    if head.num_classes != noised:
        raise ValueError(
            f'{type(segmentor).__name__}: model.data_preprocessor.'
            f'num_classes={noised} (LabelNoisingDataPreprocessor) but '
            f'{key}.num_classes={head.num_classes}; the noised label channel '
            'and the decode head must use the same classes.')


class DualPathConsistencyMixin:
    """The LAD teacher's training step, shared by both segmentor classes.

    Only ``loss`` is overridden; every other method (``predict``,
    ``_forward``, ``encode_decode``, slide inference, ...) is the parent's,
    working on the 4-channel input the preprocessor builds.
    """

    def _init_lad(self, consistency_weight: float, consistency_tau: float,
                  batched: bool, dual_path: bool, label_channel_init: str,
                  label_channel_std: float) -> None:
        pp = self.data_preprocessor
        if not hasattr(pp, 'noised_channels'):
            raise ValueError(
                f'{type(self).__name__} needs data_preprocessor='
                "dict(type='LabelNoisingDataPreprocessor', ...), got "
                f'{type(pp).__name__}')
        check_label_classes(self)
        # Raises (naming the backbone) unless the backbone reads > 3 channels.
        enable_rgb_weight_inflation(self.backbone, label_channel_init,
                                    label_channel_std)
        logits_layer(self)  # fail at build time for a head without conv_seg
        self.consistency = ChannelWiseDivergence(
            tau=consistency_tau, loss_weight=consistency_weight,
            size_mode='error', loss_name='loss_consistency')
        self.batched = batched
        self.dual_path = dual_path

    @property
    def label_input(self) -> Optional[str]:
        """What the model predicts with: ``'noised'`` or ``'zeros'``."""
        return getattr(self.data_preprocessor, 'test_label', None)

    def _second_path(self, inputs: Tensor,
                     data_samples: SampleList) -> Tensor:
        """The same images with an independently noised label channel.

        The channel comes from the preprocessor (the one place that noises),
        drawn from the same augmented, padded ``gt_sem_seg`` as path 1's.
        """
        channel = self.data_preprocessor.noised_channels(
            data_samples, inputs.shape, 1, training=True)[0]
        return torch.cat([inputs[:, :-1], channel], dim=1)

    def _path_features(self, inputs: Tensor, second: Tensor):
        """Features of both paths: two passes, or one batch of 2B."""
        if not self.batched:
            return self.extract_feat(inputs), self.extract_feat(second)
        feats = self.extract_feat(torch.cat([inputs, second]))
        n = inputs.shape[0]
        return [f[:n] for f in feats], [f[n:] for f in feats]

    def _path_losses(self, x: List[Tensor],
                     data_samples: SampleList) -> Tuple[dict, Tensor]:
        """Decode (+ auxiliary) losses of one path and its main logits.

        The parent's own ``_decode_head_forward_train`` computes the losses
        (one or several cascaded heads); the main logits are caught at the
        main head's ``conv_seg`` during that same forward.
        """
        with capture_outputs(logits_layer(self)) as caught:
            losses = self._decode_head_forward_train(x, data_samples)
        if len(caught) != 1:
            raise RuntimeError(
                f'{type(self).__name__}: expected one forward of the main '
                f'head per path, saw {len(caught)}')
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses, caught[0]

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of both paths and the consistency between them.

        Args:
            inputs (Tensor): (N, 4, H, W): image and path 1's label channel.
            data_samples (list[SegDataSample]): With ``gt_sem_seg``.

        Returns:
            dict[str, Tensor]: ``path1.*``, ``path2.*`` (e.g.
            ``path1.decode.loss_ce``, ``path2.aux.loss_ce``) and
            ``loss_consistency``; the parent's keys with ``dual_path=False``.
        """
        if not self.dual_path:
            return super().loss(inputs, data_samples)
        second = self._second_path(inputs, data_samples)
        x1, x2 = self._path_features(inputs, second)
        losses1, o1 = self._path_losses(x1, data_samples)
        losses2, o2 = self._path_losses(x2, data_samples)
        losses = {
            **add_prefix(losses1, 'path1'),
            **add_prefix(losses2, 'path2')
        }
        losses['loss_consistency'] = self.consistency(
            o1, o2.detach()) + self.consistency(o2, o1.detach())
        return losses


_ARGS_DOC = """
    Args:
        consistency_weight (float): lambda, weight of the consistency loss.
            Default: 1.0 (the paper's value; the official code uses 5).
        consistency_tau (float): CWD temperature of the consistency loss.
            Default: 4.0 (the official code's; the paper does not state it).
        batched (bool): Run the backbone (and neck) on both paths as one
            batch of 2B instead of two passes. Faster, but BatchNorm layers
            there then normalise over both paths together, and their running
            statistics see each image twice per step; the two-pass default
            keeps per-path statistics like two forwards of one model. The
            heads always run per path. Default: False.
        dual_path (bool): ``False`` trains one noised path with the
            parent's plain losses (the ablation without consistency, paper
            Tab. 8). Default: True.
        label_channel_init (str): Init of the label input channel when RGB
            weights are loaded: ``'normal'`` (default) or ``'zeros'``.
        label_channel_std (float): Its std for ``'normal'``. Default: 0.1
            (official code).
        **kwargs: Arguments of the parent segmentor; ``data_preprocessor``
            must be a ``LabelNoisingDataPreprocessor`` and the backbone built
            with ``in_channels=4``.
"""


@MODELS.register_module()
class DualPathConsistencySegmentor(DualPathConsistencyMixin, EncoderDecoder):
    """LAD teacher (paper §3.2, eq. 7): image + noised label, two paths.

    An :class:`EncoderDecoder` whose backbone reads 4 channels: the
    normalised image and the noised label channel that
    ``LabelNoisingDataPreprocessor`` appends. RGB checkpoints (``Pretrained``
    init or ``load_from``) load into channels 0–2 of the first conv and the
    label channel is initialised explicitly (:mod:`.inflate`).

    Training: path 1 is the preprocessor's input, path 2 the same images with
    a second, independent noise draw (new class-wise alphas and pixel noise)
    requested from the same preprocessor. Both run through the same weights;
    each gets the decode and auxiliary losses (keys ``path1.*``,
    ``path2.*``), plus ``loss_consistency = lambda * [CWD(o1, o2.detach()) +
    CWD(o2, o1.detach())]`` on the two main decode logits at the head's
    resolution (before upsampling), as the official code.

    Prediction is the parent's on the preprocessor's ``test_label`` channel:
    the noised ground truth (``'noised'``, the paper's teacher numbers) or
    zeros (``'zeros'``, the official code's evaluation).

    Call graph::

        train_step(data)
         ├─ data_preprocessor(data, True)    # image + noised label 1 (B,4,H,W)
         └─ loss(inputs, data_samples)
             ├─ _second_path()         # image + noised label 2,
             │                               # preprocessor.noised_channels
             ├─ _path_features()             # extract_feat x2, or one 2B batch
             ├─ _path_losses(x1), _path_losses(x2)
             │   ├─ _decode_head_forward_train  # main logits caught at
             │   │                               # conv_seg of the main head
             │   └─ _auxiliary_head_forward_train
             └─ consistency(o1, o2) + consistency(o2, o1)   # CWD, detached
                                                            # targets
        val_step / test_step
         ├─ data_preprocessor(data, False)   # + noised label or zeros
         └─ predict() -> EncoderDecoder.predict

    Args: see the end of this docstring.
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
        self._init_lad(consistency_weight, consistency_tau, batched,
                       dual_path, label_channel_init, label_channel_std)


@MODELS.register_module()
class DualPathCascadeSegmentor(DualPathConsistencyMixin,
                               CascadeEncoderDecoder):
    """LAD teacher for cascaded heads (OCRNet): as
    :class:`DualPathConsistencySegmentor`, on a
    :class:`CascadeEncoderDecoder` (``num_stages`` and a list of decode
    heads). Loss keys are ``path{1,2}.decode_{i}.*``; the consistency uses
    the last head's logits.

    Args: ``num_stages`` (int, the number of cascaded decode heads) and
    those listed below.
    """

    def __init__(self,
                 num_stages: int,
                 consistency_weight: float = 1.0,
                 consistency_tau: float = 4.0,
                 batched: bool = False,
                 dual_path: bool = True,
                 label_channel_init: str = 'normal',
                 label_channel_std: float = 0.1,
                 **kwargs):
        super().__init__(num_stages=num_stages, **kwargs)
        self._init_lad(consistency_weight, consistency_tau, batched,
                       dual_path, label_channel_init, label_channel_std)


DualPathConsistencySegmentor.__doc__ += _ARGS_DOC
DualPathCascadeSegmentor.__doc__ += _ARGS_DOC
