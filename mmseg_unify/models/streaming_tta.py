# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Memory-bounded test-time augmentation for segmentors.

MMSeg's ``SegTTAModel.test_step`` first collects every augmentation's
full-resolution logits and then merges them (``merge_preds``): with 7 scales
x 2 flips and 63 classes that is ~8 GB for one 1920x1208 image. This model
keeps one running sum of the softmax per image instead, and predicts from
the average through one overridable step, :meth:`label_from_probs`.

MMSeg's Mask2Former/MaskFormer heads return class *scores*, not logits:
``einsum(softmax(cls)[..., :-1], sigmoid(mask))``, non-negative, not
normalised over the classes. A softmax flattens them (19 classes, scores 1
and 0: 0.13 at best), so with ``scores='scores'`` (automatic for those heads)
each augmentation's scores are divided by their per-pixel sum instead; the
ontology constraint and the void threshold see the average of those.
"""
from typing import Iterator, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.structures import PixelData
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.segmentors import EncoderDecoder, SegTTAModel
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from .tta_accumulate import (SCORES, accumulate_normalised_,  # noqa: F401
                             accumulate_softmax_, output_kind, softmax_)

# The EncoderDecoder methods whose standard behaviour the direct-resize path
# reproduces; a segmentor overriding any of them takes MMSeg's own route.
_STANDARD_SEGMENTOR_METHODS = ('predict', 'inference', 'whole_inference',
                               'encode_decode', 'postprocess_result',
                               '_forward')
_STANDARD_HEAD_METHODS = ('predict', 'predict_by_feat')
_KEPT_META = ('img_path', 'seg_map_path', 'ori_shape')


@MODELS.register_module()
class StreamingSegTTAModel(SegTTAModel):
    """``SegTTAModel`` with a running sum instead of a list of logits.

    The test dataloader runs a ``tta_pipeline`` (MMSeg's ``TestTimeAug``:
    scales x flips). The teacher keeps its own ``data_preprocessor``, exactly
    as ``tools/test.py`` builds it (mmengine's ``BaseTTAModel`` would replace
    it with the top-level one of the config).

    Call graph (one batch)::

        test_step(data)                        # overrides SegTTAModel's
          for each augmentation:               # scale by scale, flip by flip
            _accumulate(aug, sums)             # per image: C x H0 x W0
              ├─ direct: module.data_preprocessor -> module(mode='tensor')
              │           -> _resize: flip back, one bilinear resize to
              │              H0 x W0 into a reused buffer
              └─ else:   module.test_step(aug).seg_logits (MMSeg's route)
              accumulate_softmax_(sums[i], logits)   # banded, in place
              (scores: accumulate_normalised_, no softmax)
          merge_probs(sums, n, samples)
            label_from_probs(mean, sample)     # argmax; subclasses override

    Direct resize: for a plain ``EncoderDecoder`` in ``whole`` test mode
    without test padding, the decode head's logits are resized straight to
    the original size (MMSeg resizes them to the augmented input size first,
    up to 2x the image). The result differs from MMSeg's route only by
    interpolation round-off; ``direct_resize=False`` takes MMSeg's route, as
    do all other segmentors (Mask2Former's head is no ``BaseDecodeHead``: it
    takes MMSeg's route, which resizes its scores to the original size).

    Args:
        module (dict | nn.Module): The segmentor.
        direct_resize (bool): See above. Default: True.
        return_probs (bool): Also return the averaged probabilities as
            ``seg_probs`` (C x H x W float; memory!). Default: False.
        data_preprocessor (dict | nn.Module, optional): Used for the
            segmentor only if its own config has none.
        scores (str, optional): What the segmentor's ``seg_logits`` hold:
            ``'logits'`` (softmax per augmentation, then the average) or
            ``'scores'`` (non-negative class scores, divided by their sum
            over the classes per pixel, then the average; no softmax).
            ``None`` (default) chooses ``'scores'`` for a segmentor with a
            ``Mask2FormerHead``/``MaskFormerHead`` and ``'logits'`` else.
    """

    def __init__(self,
                 module: Union[dict, nn.Module],
                 direct_resize: bool = True,
                 return_probs: bool = False,
                 data_preprocessor: Union[dict, nn.Module, None] = None,
                 scores: Optional[str] = None):
        if isinstance(module, dict) and \
                module.get('data_preprocessor') is not None:
            data_preprocessor = None  # the teacher's own stays
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        self.direct_resize = direct_resize
        self.return_probs = return_probs
        self.scores = scores or output_kind(self.module)
        if self.scores not in SCORES:
            raise ValueError(f'scores must be one of {SCORES} or None, got '
                             f'{scores!r}')
        self._add = accumulate_normalised_ if self.scores == 'scores' \
            else accumulate_softmax_
        self._buffer: Optional[torch.Tensor] = None

    @property
    def num_classes(self) -> int:
        """Number of classes the segmentor predicts."""
        return int(self.module.out_channels)

    def settings(self) -> dict:
        """What decides the predictions besides the weights (manifests).
        ``scores`` is recorded where it is ``'scores'``: the logits route's
        settings stay those of before the option (existing manifests)."""
        scores = dict(scores=self.scores) if self.scores != 'logits' else {}
        return dict(type=type(self).__name__,
                    direct_resize=self.direct_resize,
                    num_classes=self.num_classes,
                    **scores)

    # ---------------------------------------------------------- averaging
    def _direct_route_possible(self) -> bool:
        """Whether the segmentor's prediction is MMSeg's plain whole-image
        EncoderDecoder route (so its logits may be resized directly)."""
        module, head = self.module, getattr(self.module, 'decode_head', None)
        if not (self.direct_resize and isinstance(module, EncoderDecoder)
                and isinstance(head, BaseDecodeHead)):
            return False
        if module.test_cfg.get('mode', 'whole') != 'whole':
            return False
        return all(
            getattr(type(module), m) is getattr(EncoderDecoder, m)
            for m in _STANDARD_SEGMENTOR_METHODS) and all(
                getattr(type(head), m) is getattr(BaseDecodeHead, m)
                for m in _STANDARD_HEAD_METHODS)

    def _accumulate(self, aug_data: dict,
                    sums: List[Optional[torch.Tensor]]) -> None:
        """Add one augmentation's probabilities (softmax, or normalised
        scores), flipped back and at the original size, to the per-image
        running sums (``None`` before the first)."""
        if self._direct_route_possible():
            data = self.module.data_preprocessor(aug_data, False)
            samples = data['data_samples']
            padded = any(
                any(s.metainfo.get('img_padding_size',
                                   s.metainfo.get('padding_size', [0] * 4)))
                for s in samples)
            if not padded:
                logits = self.module(data['inputs'], samples, mode='tensor')
                for i, s in enumerate(samples):
                    full = self._resize(logits[i:i + 1], s.metainfo)
                    sums[i] = self._add(sums[i], full)
                    if sums[i] is full:  # the sum now owns the buffer
                        self._buffer = None
                return
        for i, s in enumerate(self.module.test_step(aug_data)):
            sums[i] = self._add(sums[i], s.seg_logits.data)
            del s.seg_logits, s.pred_sem_seg

    def _resize(self, logits: torch.Tensor, meta: dict) -> torch.Tensor:
        """Flip a ``1 x C x h x w`` logit map back and resize it to the
        original image size, into a buffer reused across augmentations.

        Returns:
            Tensor: ``C x H0 x W0`` logits (a view of the buffer).
        """
        if meta.get('flip', False):
            # Bilinear resizing commutes with flipping: flip the small map.
            dim = 3 if meta.get('flip_direction') == 'horizontal' else 2
            logits = logits.flip(dims=(dim, ))
        size = [int(v) for v in meta['ori_shape'][:2]]
        shape = (1, logits.shape[1], *size)
        buf = self._buffer
        if buf is None or buf.shape != shape or buf.dtype != logits.dtype \
                or buf.device != logits.device:
            buf = self._buffer = logits.new_empty(shape)
        # F.interpolate(mode='bilinear', size=...) writing into ``buf``
        torch.ops.aten.upsample_bilinear2d.out(
            logits, size, self.module.align_corners, None, None, out=buf)
        return buf[0]

    def test_step(self, data) -> List[SegDataSample]:
        """Predict a TTA batch, keeping one running sum per image.

        Args:
            data (dict): A batch from a dataloader whose pipeline ends in
                ``TestTimeAug`` (``{key: [augmentation][image]}``).

        Returns:
            list[SegDataSample]: One merged prediction per image.
        """
        sums: List[Optional[torch.Tensor]] = []
        first: Sequence[SegDataSample] = []
        num_augs = 0
        try:
            with torch.no_grad():
                for aug_data in split_augmentations(data):
                    if not num_augs:
                        first = aug_data['data_samples']
                        sums = [None] * len(first)
                    self._accumulate(aug_data, sums)
                    num_augs += 1
                return self.merge_probs(sums, num_augs, first)
        finally:
            self._buffer = None

    # ------------------------------------------------------------ merging
    def merge_preds(self, data_samples_list: List[List[SegDataSample]]) \
            -> List[SegDataSample]:
        """Merge already computed augmentations (``SegTTAModel`` API).

        Args:
            data_samples_list (list[list[SegDataSample]]): Per image, the
                predictions (``seg_logits`` at original size) of all
                augmentations.

        Returns:
            list[SegDataSample]: The merged predictions.
        """
        sums, first = [], []
        for samples in data_samples_list:
            total = None
            for s in samples:
                if self.scores == 'scores':
                    total = accumulate_normalised_(total,
                                                   s.seg_logits.data.clone())
                    continue
                p = s.seg_logits.data.softmax(dim=0)
                total = p if total is None else total.add_(p)
            sums.append(total)
            first.append(samples[0])
        return self.merge_probs(sums, len(data_samples_list[0]), first)

    def merge_probs(self, sums: List[torch.Tensor], num_augs: int,
                    samples: Sequence[SegDataSample]) -> List[SegDataSample]:
        """Turn summed probabilities into predictions.

        Args:
            sums (list[Tensor]): Per image, ``C x H0 x W0`` sum of the
                probabilities of ``num_augs`` augmentations (overwritten).
            num_augs (int): Number of augmentations summed.
            samples (Sequence[SegDataSample]): Per image, the data sample of
                one augmentation (meta information, loaded ``gt_sem_seg``).

        Returns:
            list[SegDataSample]: ``pred_sem_seg`` (from
            :meth:`label_from_probs`), ``unconstrained_sem_seg`` (argmax of
            the average), ``gt_sem_seg`` if loaded, ``seg_probs`` with
            ``return_probs``, and the original image's meta information.
        """
        results = []
        for probs, sample in zip(sums, samples):
            probs.div_(num_augs)
            meta = sample.metainfo
            out = SegDataSample(
                metainfo={k: meta[k] for k in _KEPT_META if k in meta})
            out.set_metainfo(dict(img_shape=tuple(probs.shape[1:])))
            if 'gt_sem_seg' in sample:
                out.gt_sem_seg = sample.gt_sem_seg
            unconstrained = probs.argmax(dim=0)
            if self.return_probs:
                out.seg_probs = PixelData(data=probs.clone())
            label = self.label_from_probs(probs, sample, unconstrained)
            out.pred_sem_seg = PixelData(data=label[None])
            out.unconstrained_sem_seg = PixelData(data=unconstrained[None])
            results.append(out)
        return results

    def label_from_probs(self, probs: torch.Tensor, sample: SegDataSample,
                         argmax: torch.Tensor) -> torch.Tensor:
        """The prediction of one image from its averaged probabilities.

        Args:
            probs (Tensor): ``C x H x W`` mean probabilities (softmax, or
                normalised scores; may be overwritten).
            sample (SegDataSample): One augmentation's data sample.
            argmax (Tensor): ``probs.argmax(0)``, already computed.

        Returns:
            Tensor: ``H x W`` int64 label.
        """
        return argmax


def split_augmentations(data: dict) -> Iterator[dict]:
    """Yield one batch per augmentation, as ``BaseTTAModel.test_step`` splits
    a ``pseudo_collate``-d TTA batch (``{key: [aug][image]}``)."""
    if not isinstance(data, dict):
        raise TypeError('StreamingSegTTAModel expects the dict batches of '
                        f"MMSeg's dataloaders, got {type(data)}")
    num_augs = len(data[next(iter(data))])
    for idx in range(num_augs):
        yield {key: value[idx] for key, value in data.items()}
