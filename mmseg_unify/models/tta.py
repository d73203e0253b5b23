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

Region pooling (``region_weight > 0``, :mod:`.region_pooling`): between
the constraint and the decision, each pixel's constrained scores are blended
with their mean over its region of the extra label map (connected component
of its raw id), ``p'(c) = (1 - w) p_tilde(c) + w mean_region p_tilde(c)``,
for the raw ids that ``region_rule`` selects and except pixels labelled one
of the ``region_keep`` classes. ``region_weight=0`` is the plain rule above,
bit for bit, and leaves the manifest's settings as they were.

``priors=False`` skips the refinement (every pixel gets the argmax of the
averaged softmax): the Naive Student baseline through the same code.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmseg_unify.ontology import Ontology
from .region_pooling import RULES, pool_regions_, pooled_ids
from .streaming_tta import StreamingSegTTAModel, softmax_  # noqa: F401


def mask_probabilities(probs: torch.Tensor, raw: torch.Tensor,
                       allowed: torch.Tensor) -> torch.Tensor:
    """Zero the classes the ontology does not allow, per pixel, in place.

    Args:
        probs (Tensor): ``C x H x W`` class probabilities; overwritten.
        raw (Tensor): ``H x W`` raw extra-dataset label ids (valid row
            indices of ``allowed``; see ``Ontology.check_ids``).
        allowed (Tensor): ``G x C`` bool, ``allowed[g, c]``: a pixel labelled
            ``g`` may become source class ``c``.

    Returns:
        Tensor: ``probs``.
    """
    # C x H x W mask, built as bool (1 byte per entry) and used in place.
    return probs.masked_fill_(~allowed[raw.long()].permute(2, 0, 1), 0)


def decide_labels(probs: torch.Tensor,
                  raw: torch.Tensor,
                  allowed: torch.Tensor,
                  void_allowed: torch.Tensor,
                  void_threshold: float = 0.5,
                  ignore_index: int = 255) -> torch.Tensor:
    """The label of each pixel from its masked probabilities (module doc).

    Args:
        probs (Tensor): ``C x H x W`` probabilities, disallowed classes
            already zero (:func:`mask_probabilities`).
        raw (Tensor): ``H x W`` raw extra-dataset label ids.
        allowed (Tensor): ``G x C`` bool ontology matrix.
        void_allowed (Tensor): ``G`` bool, ``void`` is in the allowed set of
            ``g`` (the pixel may stay unlabelled).
        void_threshold (float): A void-allowed pixel whose largest allowed
            probability is below this becomes ``ignore_index``.
        ignore_index (int): Label of pixels left unlabelled.

    Returns:
        Tensor: ``H x W`` int64 pseudo-label.
    """
    raw = raw.long()
    best, label = probs.max(dim=0)
    empty = ~allowed.any(dim=1)[raw]
    unsure = void_allowed[raw] & (best < void_threshold)
    label[empty | unsure] = ignore_index
    return label


def constrain_probabilities(probs: torch.Tensor,
                            raw: torch.Tensor,
                            allowed: torch.Tensor,
                            void_allowed: torch.Tensor,
                            void_threshold: float = 0.5,
                            ignore_index: int = 255) -> torch.Tensor:
    """Apply an ontology per pixel and take the constrained argmax:
    :func:`mask_probabilities` then :func:`decide_labels` (same Args;
    ``probs`` is overwritten).

    Returns:
        Tensor: ``H x W`` int64 pseudo-label.
    """
    mask_probabilities(probs, raw, allowed)
    return decide_labels(probs, raw, allowed, void_allowed, void_threshold,
                         ignore_index)


@MODELS.register_module()
class OntologyConstrainedTTAModel(StreamingSegTTAModel):
    """Ontology-constrained TTA for pseudo-labelling (see the module doc).

    :class:`~mmseg_unify.models.streaming_tta.StreamingSegTTAModel` averages
    the teacher's softmax over the ``tta_pipeline``'s augmentations with a
    running sum; this class overrides only the step from the average to the
    label (:meth:`label_from_probs`). The ``tta_pipeline`` loads the extra
    dataset's label with its **raw ids** (``LoadAnnotations`` of a dataset
    without ``label_map``) inside ``TestTimeAug``, after the geometric
    transforms (as in MMSeg's own ``tta_pipeline``), so the label of the
    first augmentation has the original image size.

    Call graph (one batch)::

        test_step(data)                           # StreamingSegTTAModel
          _accumulate(aug, sums) per augmentation
          merge_probs(sums, n, samples)
            label_from_probs(mean, sample)        # overridden here
              Ontology.check_ids(raw, file)       # names file and ids
              mask_probabilities(...)             # zero disallowed
              pool_regions_(...)                  # only region_weight > 0
              decide_labels(...)                  # argmax, void rule

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
        region_weight (float): ``w`` of the region pooling, in ``[0, 1]``;
            0 (default) pools nothing. Needs ``priors=True``.
        region_rule (str): Raw ids whose regions are pooled, one of
            ``region_pooling.RULES``. Default: ``'ambiguous-no-void'``
            (ids with more than one allowed source class and no void).
        region_keep (Sequence[str]): Source class names pooling leaves
            alone (a pixel labelled one of them is neither pooled nor
            votes). Default: none.
        region_connectivity (int): 4 or 8 neighbours. Default: 4.
        **kwargs: ``direct_resize``, ``return_probs``, ``data_preprocessor``
            of :class:`StreamingSegTTAModel`.
    """

    def __init__(self,
                 module: Union[dict, nn.Module],
                 ontology: Optional[str] = None,
                 priors: bool = True,
                 void_threshold: float = 0.5,
                 ignore_index: int = 255,
                 region_weight: float = 0.0,
                 region_rule: str = 'ambiguous-no-void',
                 region_keep: Sequence[str] = (),
                 region_connectivity: int = 4,
                 **kwargs):
        super().__init__(module=module, **kwargs)
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
        self.ontology = Ontology.from_file(ontology) if ontology else None
        self.ontology_file = self.ontology.path if self.ontology else None
        if self.ontology is not None \
                and self.ontology.num_classes != self.num_classes:
            raise ValueError(
                f'{self.ontology_file}: the map has '
                f'{self.ontology.num_classes} source classes but the '
                f'teacher predicts {self.num_classes}.')
        self._init_region_pooling(region_weight, region_rule, region_keep,
                                  region_connectivity)

    def _init_region_pooling(self, weight: float, rule: str,
                             keep: Sequence[str], connectivity: int) -> None:
        """Check and store the region pooling settings (class doc)."""
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f'region_weight must be in [0, 1], got {weight}')
        if weight > 0 and not self.priors:
            raise ValueError('region pooling (region_weight > 0) needs the '
                             'ontology priors (priors=True)')
        if rule not in RULES:
            raise ValueError(f'region_rule must be one of {RULES}, got '
                             f'{rule!r}')
        if connectivity not in (4, 8):
            raise ValueError(f'region_connectivity must be 4 or 8, got '
                             f'{connectivity}')
        keep = [keep] if isinstance(keep, str) else list(keep or ())
        names = list(self.ontology.source.names) if self.ontology else []
        unknown = [k for k in keep if k not in names]
        if unknown:
            raise ValueError(f'region_keep: {unknown} are no source classes '
                             f'of {self.ontology_file} ({names})')
        self.region_weight = float(weight)
        self.region_rule = rule
        self.region_keep = keep
        self.region_connectivity = int(connectivity)
        self._keep_ids = [names.index(k) for k in keep]

    def settings(self) -> dict:
        """The model's pseudo-labelling settings (for manifests)."""
        return dict(
            super().settings(),
            ontology=self.ontology_file,
            priors=self.priors,
            void_threshold=self.void_threshold,
            ignore_index=self.ignore_index,
            **self.region_settings())

    def region_settings(self) -> dict:
        """The region pooling settings; empty when nothing is pooled, so
        that ``region_weight=0`` manifests stay those of before pooling."""
        if self.region_weight == 0:
            return {}
        return dict(region_weight=self.region_weight,
                    region_rule=self.region_rule,
                    region_keep=list(self.region_keep),
                    region_connectivity=self.region_connectivity)

    def label_from_probs(self, probs: torch.Tensor, sample: SegDataSample,
                         argmax: torch.Tensor) -> torch.Tensor:
        """Ontology refinement (and region pooling) of one image's averaged
        probabilities (the plain argmax with ``priors=False``)."""
        if not self.priors:
            return argmax
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
        allowed, void_allowed = tables['allowed'], tables['void_allowed']
        mask_probabilities(probs, raw, allowed)
        if self.region_weight > 0:
            pool_regions_(probs, raw,
                          pooled_ids(allowed, void_allowed, self.region_rule),
                          self.region_weight, self._keep_ids,
                          self.region_connectivity)
        return decide_labels(probs, raw, allowed, void_allowed,
                             self.void_threshold, self.ignore_index)
