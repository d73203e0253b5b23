# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Ontology-constrained test-time augmentation: the pseudo-labelling model.

The model wraps a trained teacher segmentor, like MMSeg's ``SegTTAModel``.
Per image it averages the teacher's softmax over the test-time augmentations
of the dataset's ``tta_pipeline`` (MMSeg's ``TestTimeAug``: scales x flips),
each resized back to the original image size, and then refines the average
with an ontology map per pixel, using the pixel's label in the extra dataset's
own taxonomy (paper §III)::

    p_bar(c)  = mean over augmentations of softmax(teacher(aug(x)))(c)
    p_tilde(c) = p_bar(c) * A[g, c]        g: the pixel's raw extra label id
    y_tilde   = argmax_c p_tilde(c)        or 255 (see below)

Pixel rules (``A``: :attr:`mmseg_unify.ontology.Ontology.allowed`):

* no source class allowed for ``g`` (``A[g]`` all false) -> ``ignore_index``;
* ``void`` allowed for ``g`` (the pixel may stay unlabelled): the pixel keeps
  a label only if the teacher's largest probability among the allowed classes
  (before any renormalisation) is at least ``void_threshold``, otherwise it
  becomes ``ignore_index``. The default 0.5 means a void-allowed pixel is
  labelled only when one allowed class holds the majority of the teacher's
  probability mass; such a class is then also the unconstrained argmax, so
  the ontology never *forces* a label on a pixel the annotators left open.
  ``void_threshold=0`` labels every such pixel, ``1`` none of them;
* otherwise the most probable allowed class.

``priors=False`` skips the refinement (every pixel gets the argmax of the
averaged softmax): the Naive Student baseline through the same code.
"""
import time
from typing import Iterator, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.structures import PixelData
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.segmentors import EncoderDecoder, SegTTAModel
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_unify.ontology import Ontology

# The EncoderDecoder methods whose standard behaviour the direct-resize path
# reproduces; a segmentor overriding any of them takes MMSeg's own route.
_STANDARD_SEGMENTOR_METHODS = ('predict', 'inference', 'whole_inference',
                               'encode_decode', 'postprocess_result',
                               '_forward')
_STANDARD_HEAD_METHODS = ('predict', 'predict_by_feat')


def softmax_(logits: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Softmax computed in place (no second full-size tensor).

    Args:
        logits (Tensor): Logits; overwritten with the probabilities.
        dim (int): Class dimension. Default: 0.

    Returns:
        Tensor: ``logits``, now holding the softmax.
    """
    logits.sub_(logits.amax(dim=dim, keepdim=True))
    logits.exp_()
    logits.div_(logits.sum(dim=dim, keepdim=True))
    return logits


def constrain_probabilities(probs: torch.Tensor,
                            raw: torch.Tensor,
                            allowed: torch.Tensor,
                            void_allowed: torch.Tensor,
                            void_threshold: float = 0.5,
                            ignore_index: int = 255) -> torch.Tensor:
    """Apply an ontology per pixel and take the constrained argmax.

    Args:
        probs (Tensor): ``C x H x W`` class probabilities (averaged softmax).
            Overwritten: disallowed classes are set to zero.
        raw (Tensor): ``H x W`` raw extra-dataset label ids (valid row
            indices of ``allowed``; see ``Ontology.check_ids``).
        allowed (Tensor): ``G x C`` bool, ``allowed[g, c]``: a pixel labelled
            ``g`` may become source class ``c``.
        void_allowed (Tensor): ``G`` bool, ``void`` is in the allowed set of
            ``g`` (the pixel may stay unlabelled).
        void_threshold (float): A void-allowed pixel whose largest allowed
            probability is below this becomes ``ignore_index``.
        ignore_index (int): Label of pixels left unlabelled.

    Returns:
        Tensor: ``H x W`` int64 pseudo-label.
    """
    raw = raw.long()
    # C x H x W mask, built as bool (1 byte per entry) and used in place.
    probs.masked_fill_(~allowed[raw].permute(2, 0, 1), 0)
    best, label = probs.max(dim=0)
    empty = ~allowed.any(dim=1)[raw]
    unsure = void_allowed[raw] & (best < void_threshold)
    label[empty | unsure] = ignore_index
    return label


@MODELS.register_module()
class OntologyConstrainedTTAModel(SegTTAModel):
    """Ontology-constrained TTA for pseudo-labelling (see the module doc).

    Built like MMSeg's ``SegTTAModel``: the test dataloader runs a
    ``tta_pipeline`` (``TestTimeAug`` over ``Resize(scale_factor=...)`` x
    ``RandomFlip``) followed, inside ``TestTimeAug`` and after the geometric
    transforms (as in MMSeg's own ``tta_pipeline``), by the transform that
    loads the extra dataset's label with its **raw ids** (``LoadAnnotations``
    of a dataset without ``label_map``). The label of the first augmentation
    of each image is used; it has the original image size.

    Call graph (one batch)::

        test_step(data)                        # overrides SegTTAModel's
          for each augmentation:               # scale by scale, flip by flip
            _accumulate(aug, sums)             # per image: C x H0 x W0
              ├─ direct: data_preprocessor -> module(mode='tensor') logits
              │           -> flip back, resize to H0 x W0 (one bilinear,
              │              into a reused buffer), softmax in place
              └─ else:   module.test_step(aug).seg_logits (MMSeg's route)
              sums[i] += softmax               # running sum, one per image
          merge_probs(sums, n, samples)
            constrain_probabilities(...)       # zero disallowed, argmax, 255

    ``SegTTAModel.test_step`` first collects every augmentation's
    full-resolution logits and then merges them (``merge_preds``); with 7
    scales x 2 flips and 63 classes that is ~8 GB for one 1920x1208 image, so
    this class overrides ``test_step`` to keep one running sum instead.
    ``merge_preds`` still works (same merge) for callers that hold a list.

    Direct resize: for a plain ``EncoderDecoder`` in ``whole`` test mode
    without test padding, the decode head's logits are resized straight to
    the original size (MMSeg resizes them to the augmented input size, up to
    2x the image at scale 2, and then to the original size). The result
    differs from MMSeg's route only by interpolation round-off; set
    ``direct_resize=False`` for MMSeg's route. Other segmentors always take
    MMSeg's route.

    Args:
        module (dict | nn.Module): The teacher segmentor.
        ontology (str, optional): Ontology map file (extra -> source
            taxonomy; a path, a path under ``ontology_maps/`` or a bare map
            name, see ``Ontology.from_file``). Needed for ``priors=True``;
            with ``priors=False`` only its palettes and names are used.
        priors (bool): Apply the ontology. ``False`` is Naive Student.
            Default: True.
        void_threshold (float): See the module doc. Default: 0.5.
        ignore_index (int): Label of unlabelled pixels. Default: 255.
        direct_resize (bool): See above. Default: True.
        return_probs (bool): Also return the averaged softmax as
            ``seg_probs`` (C x H x W float; memory!). Default: False.
        data_preprocessor (dict | nn.Module, optional): As in
            ``BaseTTAModel``.

    Every returned ``SegDataSample`` holds ``pred_sem_seg`` (the
    pseudo-label), ``unconstrained_sem_seg`` (argmax of the averaged softmax,
    the teacher's own prediction), the first augmentation's ``gt_sem_seg``
    (raw extra ids) if loaded, and the original image's meta information.
    ``self.timing`` accumulates ``forward`` seconds (network passes),
    ``total`` seconds (whole ``test_step``) and ``images``.
    """

    def __init__(self,
                 module: Union[dict, nn.Module],
                 ontology: Optional[str] = None,
                 priors: bool = True,
                 void_threshold: float = 0.5,
                 ignore_index: int = 255,
                 direct_resize: bool = True,
                 return_probs: bool = False,
                 data_preprocessor: Union[dict, nn.Module, None] = None):
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        if priors and ontology is None:
            raise ValueError('OntologyConstrainedTTAModel: priors=True needs '
                             'an ontology map file (ontology=...); use '
                             'priors=False for the Naive Student baseline.')
        if not 0.0 <= void_threshold <= 1.0:
            raise ValueError(f'void_threshold must be in [0, 1], got '
                             f'{void_threshold}')
        self.priors = priors
        self.void_threshold = float(void_threshold)
        self.ignore_index = int(ignore_index)
        self.direct_resize = direct_resize
        self.return_probs = return_probs
        self.ontology = Ontology.from_file(ontology) if ontology else None
        self.ontology_file = self.ontology.path if self.ontology else None
        if self.ontology is not None \
                and self.ontology.num_classes != self.num_classes:
            raise ValueError(
                f'{self.ontology_file}: the map has '
                f'{self.ontology.num_classes} source classes but the '
                f'teacher predicts {self.num_classes}.')
        self._buffer: Optional[torch.Tensor] = None
        self.timing = dict(forward=0.0, total=0.0, images=0)

    # ------------------------------------------------------------------ #
    # settings and ontology tables
    # ------------------------------------------------------------------ #
    @property
    def num_classes(self) -> int:
        """Number of source classes the teacher predicts."""
        return int(self.module.out_channels)

    def settings(self) -> dict:
        """The model's pseudo-labelling settings (for manifests)."""
        return dict(
            type=type(self).__name__,
            ontology=self.ontology_file,
            priors=self.priors,
            void_threshold=self.void_threshold,
            ignore_index=self.ignore_index,
            direct_resize=self.direct_resize,
            num_classes=self.num_classes)

    # ------------------------------------------------------------------ #
    # inference
    # ------------------------------------------------------------------ #
    def _direct_route_possible(self) -> bool:
        """Whether the teacher's prediction is MMSeg's plain whole-image
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

    def _timed_forward(self, fn, *args, **kwargs):
        """Run ``fn`` and add its wall time to ``timing['forward']``."""
        cuda = next(self.module.parameters()).is_cuda
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        if cuda:
            torch.cuda.synchronize()
        self.timing['forward'] += time.perf_counter() - start
        return out

    def _accumulate(self, aug_data: dict,
                    sums: List[Optional[torch.Tensor]]) -> None:
        """Add the softmax of one augmentation of a batch, flipped back and
        at the original image size, to the running sums.

        Args:
            aug_data (dict): ``inputs`` and ``data_samples`` of one
                augmentation (as ``BaseTTAModel.test_step`` splits them).
            sums (list[Tensor | None]): Per image, the ``C x H0 x W0`` sum so
                far (``None`` before the first augmentation); updated.
        """
        if self._direct_route_possible():
            data = self.module.data_preprocessor(aug_data, False)
            samples = data['data_samples']
            padded = any(
                any(s.metainfo.get('img_padding_size',
                                   s.metainfo.get('padding_size', [0] * 4)))
                for s in samples)
            if not padded:
                logits = self._timed_forward(
                    self.module, data['inputs'], samples, mode='tensor')
                for i, s in enumerate(samples):
                    probs = self._resize_softmax(logits[i:i + 1], s.metainfo)
                    if sums[i] is None:
                        sums[i] = probs.clone()
                    else:
                        sums[i].add_(probs)
                return
        samples = self._timed_forward(self.module.test_step, aug_data)
        for i, s in enumerate(samples):
            probs = softmax_(s.seg_logits.data, dim=0)
            del s.seg_logits, s.pred_sem_seg
            sums[i] = probs if sums[i] is None else sums[i].add_(probs)

    def _resize_softmax(self, logits: torch.Tensor,
                        meta: dict) -> torch.Tensor:
        """Flip a ``1 x C x h x w`` logit map back, resize it to the original
        image size and turn it into probabilities.

        The result lives in a buffer that is reused for every augmentation
        of an image (one full-size allocation instead of one per
        augmentation; the next call overwrites it).
        """
        if meta.get('flip', False):
            # Bilinear resizing commutes with flipping, so flip at the
            # (small) feature resolution.
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
        return softmax_(buf[0], dim=0)

    def test_step(self, data) -> List[SegDataSample]:
        """Predict a TTA batch, keeping one running sum per image.

        Args:
            data (dict | tuple | list): A batch from a dataloader whose
                pipeline ends in ``TestTimeAug`` (see ``BaseTTAModel``).

        Returns:
            list[SegDataSample]: One merged prediction per image.
        """
        start = time.perf_counter()
        with torch.no_grad():
            results = self._merged_predictions(data)
        self.timing['total'] += time.perf_counter() - start
        self.timing['images'] += len(results)
        return results

    def _merged_predictions(self, data) -> List[SegDataSample]:
        """The body of :meth:`test_step`."""
        sums: List[Optional[torch.Tensor]] = []
        first: Sequence[SegDataSample] = []
        num_augs = 0
        try:
            for aug_data in _split_augmentations(data):
                if not num_augs:
                    first = aug_data['data_samples']
                    sums = [None] * len(first)
                self._accumulate(aug_data, sums)
                num_augs += 1
        finally:
            self._buffer = None
        return self.merge_probs(sums, num_augs, first)

    def merge_preds(self, data_samples_list: List[List[SegDataSample]]) \
            -> List[SegDataSample]:
        """Merge already computed augmentations (``SegTTAModel`` API).

        Args:
            data_samples_list (list[list[SegDataSample]]): Per image, the
                predictions (``seg_logits`` at original size) of all
                augmentations.

        Returns:
            list[SegDataSample]: Merged, ontology-constrained predictions.
        """
        sums, first = [], []
        for samples in data_samples_list:
            total = None
            for s in samples:
                p = s.seg_logits.data.softmax(dim=0)
                total = p if total is None else total.add_(p)
            sums.append(total)
            first.append(samples[0])
        return self.merge_probs(sums, len(data_samples_list[0]), first)

    def merge_probs(self, sums: List[torch.Tensor], num_augs: int,
                    samples: Sequence[SegDataSample]) -> List[SegDataSample]:
        """Turn summed probabilities into (constrained) pseudo-labels.

        Args:
            sums (list[Tensor]): Per image, ``C x H0 x W0`` sum of the
                softmax of ``num_augs`` augmentations (overwritten).
            num_augs (int): Number of augmentations summed.
            samples (Sequence[SegDataSample]): Per image, the data sample of
                one augmentation (for meta information and the raw label).

        Returns:
            list[SegDataSample]: The merged predictions.
        """
        results = []
        for probs, sample in zip(sums, samples):
            probs.div_(num_augs)
            unconstrained = probs.argmax(dim=0)
            meta = sample.metainfo
            out = SegDataSample(metainfo={
                key: meta[key]
                for key in ('img_path', 'seg_map_path', 'ori_shape')
                if key in meta
            })
            out.set_metainfo(dict(img_shape=tuple(probs.shape[1:])))
            if self.return_probs:
                out.seg_probs = PixelData(data=probs.clone())
            if 'gt_sem_seg' in sample:
                out.gt_sem_seg = sample.gt_sem_seg
            if self.priors:
                label = self._constrain(probs, sample)
            else:
                label = unconstrained
            out.pred_sem_seg = PixelData(data=label[None])
            out.unconstrained_sem_seg = PixelData(data=unconstrained[None])
            results.append(out)
        return results

    def _constrain(self, probs: torch.Tensor,
                   sample: SegDataSample) -> torch.Tensor:
        """Ontology refinement of one image's averaged probabilities."""
        label_file = sample.metainfo.get('seg_map_path')
        if 'gt_sem_seg' not in sample:
            raise KeyError(
                f'{sample.metainfo.get("img_path")}: no raw extra-dataset '
                'label (gt_sem_seg) reached the pseudo-labelling model; add '
                'the label loading transform to the tta_pipeline (inside '
                'TestTimeAug, after Resize/RandomFlip), or use priors=False.')
        raw = sample.gt_sem_seg.data[0]
        if raw.shape != probs.shape[1:]:
            raise ValueError(
                f'{label_file}: label size {tuple(raw.shape)} differs from '
                f'the image size {tuple(probs.shape[1:])}; load the label '
                'after the geometric transforms of the tta_pipeline.')
        raw = raw.to(probs.device)
        self.ontology.check_ids(raw, label_file)  # names file and ids
        tables = self.ontology.to_tensors(probs.device)
        return constrain_probabilities(probs, raw, tables['allowed'],
                                       tables['void_allowed'],
                                       self.void_threshold, self.ignore_index)


def _split_augmentations(data: dict) -> Iterator[dict]:
    """Yield one batch per augmentation, as ``BaseTTAModel.test_step`` splits
    a ``pseudo_collate``-d TTA batch (``{key: [aug][image]}``)."""
    if not isinstance(data, dict):
        raise TypeError('OntologyConstrainedTTAModel expects the dict batches '
                        f"of MMSeg's dataloaders, got {type(data)}")
    num_augs = len(data[next(iter(data))])
    for idx in range(num_augs):
        yield {key: value[idx] for key, value in data.items()}
