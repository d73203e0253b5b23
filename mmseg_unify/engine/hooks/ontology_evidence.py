# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``OntologyEvidence``: count what a teacher predicts on each extra label.

The hook turns an ordinary ``runner.test()`` of a teacher wrapped in
:class:`~mmseg_unify.models.tta.OntologyConstrainedTTAModel` (the
pseudo-labelling model, ``priors=False``, ``return_probs=True`` for the
confidence counts) into the evidence of
:mod:`mmseg_unify.ontology.evidence`: per raw extra label id, the pixels of
each predicted source class (``unconstrained_sem_seg``: the TTA argmax
without the map), over a sample of images spread evenly over the dataset.

* Rank ``r`` of ``w`` predicts sample images ``r, r+w, ...`` (each image
  once; MMSeg's ``DefaultSampler`` would repeat some); the counts are
  summed over ranks with ``all_reduce``.
* Rank 0 writes ``evidence.json`` (exact counts and provenance),
  ``evidence.csv`` (one line per label and class) and ``evidence.png`` (the
  heat map of :func:`~mmseg_unify.visualization.draw_evidence_heatmap`),
  atomically, into ``out_dir``.
"""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import all_reduce, barrier, get_dist_info, is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from mmseg_unify.ontology import Ontology
from mmseg_unify.ontology.evidence import IGNORE_NAME, Evidence, cooccurrence
from mmseg_unify.utils import label_io
from mmseg_unify.utils.output_guard import check_output_folders, input_folders
from mmseg_unify.utils.tta_config import tta_summary
from mmseg_unify.visualization import draw_evidence_heatmap
from ..runner.subset_loader import shard_indices, subset_loader

FILES = ('evidence.json', 'evidence.csv', 'evidence.png')


def spread_sample(num: int, size: Optional[int]) -> List[int]:
    """``size`` indices of ``0..num - 1`` spread evenly (all for ``None``).

    Args:
        num (int): Dataset length.
        size (int, optional): Sample size (> 0).

    Returns:
        list[int]: Sorted, distinct indices.
    """
    if size is None or size >= num:
        return list(range(num))
    return sorted({int(round(i)) for i in np.linspace(0, num - 1, size)})


@HOOKS.register_module()
class OntologyEvidence(Hook):
    """Accumulate and save the teacher's evidence (see the module doc).

    Args:
        out_dir (str): Folder of the evidence files.
        num_images (int, optional): Sample size; ``None``: every image.
        confidence_threshold (float): A pixel is confident if its largest
            averaged probability reaches this. Default: 0.5.
        extra_taxonomy (str, optional): The extra dataset's taxonomy (file
            or bare name); default: that of the model's ontology map.
        source_taxonomy (str, optional): The teacher's taxonomy; default:
            that of the model's ontology map.
        heatmap (bool): Also draw ``evidence.png``. Default: True.
        meta (dict, optional): Extra provenance for ``evidence.json``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: str,
                 num_images: Optional[int] = None,
                 confidence_threshold: float = 0.5,
                 extra_taxonomy: Optional[str] = None,
                 source_taxonomy: Optional[str] = None,
                 heatmap: bool = True,
                 meta: Optional[dict] = None):
        if num_images is not None and num_images < 1:
            raise ValueError(f'OntologyEvidence: num_images must be >= 1, '
                             f'got {num_images}')
        if not 0.0 <= confidence_threshold <= 1.0:
            raise ValueError('OntologyEvidence: confidence_threshold must be '
                             f'in [0, 1], got {confidence_threshold}')
        self.out_dir = osp.abspath(out_dir)
        self.num_images = num_images
        self.confidence_threshold = float(confidence_threshold)
        self.extra_taxonomy = extra_taxonomy
        self.source_taxonomy = source_taxonomy
        self.heatmap = heatmap
        self.meta = dict(meta or {})
        self.evidence: Optional[Evidence] = None

    # ------------------------------------------------------------ before
    def _ontology(self, model) -> Ontology:
        """The taxonomies: from the arguments, else the model's map."""
        mapped = getattr(model, 'ontology', None)
        if self.source_taxonomy and self.extra_taxonomy:
            return Ontology.unconstrained(self.source_taxonomy,
                                          self.extra_taxonomy)
        if mapped is None or mapped.extra is None:
            raise ValueError(
                'OntologyEvidence needs the extra and source taxonomies: set '
                'extra_taxonomy= and source_taxonomy=, or give the model an '
                'ontology map (ontology=...)')
        return Ontology.unconstrained(
            self.source_taxonomy or mapped.source,
            self.extra_taxonomy or mapped.extra)

    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._taxonomies = self._ontology(model)
        self._map = getattr(model, 'ontology', None)
        num_classes = int(getattr(model, 'num_classes', 0) or
                          self._taxonomies.num_classes)
        if num_classes != self._taxonomies.num_classes:
            raise ValueError(
                f'{self._taxonomies.source.path}: source taxonomy has '
                f'{self._taxonomies.num_classes} classes but the teacher '
                f'predicts {num_classes}')
        loop = runner.test_loop
        dataset = loop.dataloader.dataset
        self._images = spread_sample(len(dataset), self.num_images)
        infos = [dataset.get_data_info(i) for i in self._images]
        prefix = getattr(dataset, 'data_prefix', {})
        check_output_folders(
            {'evidence out_dir': self.out_dir},
            input_folders([p for d in infos for p in (
                d['img_path'], d.get('seg_map_path'))],
                [prefix.get('img_path', ''), prefix.get('seg_map_path', '')]))
        self._files = [d['img_path'] for d in infos]
        self._labels = [d.get('seg_map_path') for d in infos]
        self._label_prefix = prefix.get('seg_map_path')
        rank, world = get_dist_info()
        mine = [self._images[i] for i in
                shard_indices(len(self._images), rank, world)]
        loop.dataloader = subset_loader(loop.dataloader, mine)
        shape = (len(self._taxonomies.known_ids), num_classes)
        self._counts = torch.zeros(shape, dtype=torch.int64)
        self._confident = torch.zeros(shape, dtype=torch.int64)
        self._with_probs = True
        print_log(
            f'[evidence] {len(self._images)} of {len(dataset)} images, rank '
            f'{rank}/{world}: {len(mine)} in this shard -> {self.out_dir}',
            logger='current')

    # ---------------------------------------------------------- per batch
    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        for sample in outputs or []:
            if 'gt_sem_seg' not in sample:
                raise KeyError(
                    f'{sample.metainfo.get("img_path")}: no raw extra label '
                    '(gt_sem_seg) in the prediction; load the labels in the '
                    'tta_pipeline (LoadAnnotations inside TestTimeAug)')
            pred = sample.get('unconstrained_sem_seg', sample.pred_sem_seg)
            pred = pred.data[0].cpu()
            rows = self._taxonomies.rows(sample.gt_sem_seg.data[0].cpu(),
                                         sample.metainfo.get('seg_map_path'))
            if rows.shape != pred.shape:
                raise ValueError(
                    f'{sample.metainfo.get("seg_map_path")}: label size '
                    f'{tuple(rows.shape)} differs from the prediction '
                    f'{tuple(pred.shape)}')
            self._counts += cooccurrence(rows, pred, *self._counts.shape)
            if 'seg_probs' in sample:
                sure = sample.seg_probs.data.amax(dim=0).cpu() >= \
                    self.confidence_threshold
                self._confident += cooccurrence(rows, pred,
                                                *self._counts.shape, sure)
            else:
                self._with_probs = False

    # -------------------------------------------------------------- after
    def after_test(self, runner) -> None:
        all_reduce(self._counts)
        all_reduce(self._confident)
        flags = torch.tensor([int(self._with_probs)])
        all_reduce(flags, op='min')
        confident = self._confident.numpy() if int(flags) else None
        cfg = runner.cfg
        pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
            'pipeline', [])
        meta = dict(
            self.meta,
            images=len(self._images),
            image_files=self._files,
            label_files=self._labels,
            label_prefix=self._label_prefix,
            confidence_threshold=self.confidence_threshold
            if confident is not None else None,
            tta=tta_summary(pipeline),
            checkpoint=cfg.get('load_from'),
            world_size=get_dist_info()[1])
        self.evidence = Evidence.from_matrix(self._counts.numpy(),
                                             self._taxonomies, confident,
                                             meta)
        if is_main_process():
            write_evidence(self.evidence, self.out_dir, self._map,
                           self.heatmap)
            print_log(f'[evidence] {int(self.evidence.pixels.sum())} pixels '
                      f'of {len(self._images)} images -> '
                      f'{osp.join(self.out_dir, FILES[0])}',
                      logger='current')
        barrier()


def write_evidence(evidence: Evidence,
                   out_dir: str,
                   ontology: Optional[Ontology] = None,
                   heatmap: bool = True) -> List[str]:
    """Write ``evidence.json``, ``.csv`` and ``.png`` atomically.

    Args:
        evidence (Evidence): What to write.
        out_dir (str): The folder.
        ontology (Ontology, optional): A map whose allowed cells the heat
            map outlines.
        heatmap (bool): Draw the picture.

    Returns:
        list[str]: The files written.
    """
    paths = [osp.join(out_dir, name) for name in FILES]
    label_io.write_json_atomic(paths[0], evidence.to_dict())
    label_io.write_bytes_atomic(paths[1], evidence.csv_text().encode())
    if not heatmap:
        return paths[:2]
    # rows: every class, the ignore index only if it occurs
    rows = [r for r, name in enumerate(evidence.extra_names)
            if name != IGNORE_NAME or evidence.pixels[r]]
    ids = [evidence.extra_ids[r] for r in rows]
    allowed = None
    if ontology is not None and ontology.priors:
        allowed = ontology.allowed[ids]
    low = evidence.low_confidence()
    meta, row_title = evidence.meta, 'extra dataset label (raw id)'
    title = (f'{meta.get("extra")} labels x {meta.get("source")} '
             f'predictions ({meta.get("images", "?")} images)')
    if meta.get('calibration'):
        row_title = 'true class (validation label)'
        title = (f'teacher confusion on its validation set '
                 f'({meta.get("images", "?")} images)')
    rgb = draw_evidence_heatmap(
        evidence.shares()[rows], [evidence.extra_names[r] for r in rows],
        ids, evidence.source_names, evidence.pixels[rows].tolist(), title,
        allowed, None if low is None else low[rows], row_title)
    label_io.write_png_atomic(paths[2], rgb[..., ::-1])
    return paths
