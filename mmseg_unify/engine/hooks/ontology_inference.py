# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``OntologyConstrainedInference``: write pseudo-labels during a test run.

Turns ``runner.test()`` over an extra dataset, with the teacher wrapped in
:class:`~mmseg_unify.models.tta.OntologyConstrainedTTAModel` (or any model
returning ``pred_sem_seg``), into a resumable, sharded pseudo-labelling job.
The hook decides *when* and *where*: files are written by
:mod:`mmseg_unify.utils.label_io` (atomically, honouring the umask), the
folder is opened and closed by :mod:`mmseg_unify.utils.pseudo_label_folder`
under the identity rules of :mod:`mmseg_unify.utils.pseudo_label_manifest`,
pictures are drawn by :class:`~mmseg_unify.visualization.PseudoLabelPictures`.

* one label PNG per image under ``out_dir``, at the image's path below the
  dataset's ``data_prefix['img_path']``; ``uint8``, else ``uint16``;
* ``out_dir``/``vis_dir`` may not be, lie inside, or contain a folder that
  holds the dataset's images or labels (refused before anything is written);
* rank ``r`` of ``w`` labels images ``r, r+w, ...`` minus those whose label
  file exists and decodes (resume): finished images are not loaded again.
"""
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.dist import (all_reduce, barrier, broadcast_object_list,
                           get_dist_info, is_main_process)
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from mmseg_unify.utils import label_io
from mmseg_unify.utils import pseudo_label_folder as pl_folder
from mmseg_unify.utils import pseudo_label_manifest as pl_manifest
from mmseg_unify.utils.output_guard import (check_output_folders,
                                            dataset_input_folders)
from mmseg_unify.visualization import PseudoLabelPictures
from ..runner.subset_loader import shard_indices, subset_loader

COUNT_KEYS = ('written', 'skipped', 'remade', 'pixels', 'ignored')


@HOOKS.register_module()
class OntologyConstrainedInference(Hook):
    """Write pseudo-labels of a test run (see the module doc).

    Args:
        out_dir (str): Root of the pseudo-label files.
        label_suffix (str): Replaces the image suffix. Default: ``'.png'``.
        resume (bool): Keep the label files of an equal earlier run and
            label only the rest. ``False`` replaces the folder. Default: True.
        colorize (bool): Also write a colour copy of every label to
            ``vis_dir/color``. Default: False.
        num_panels (int): Panels of this many images (evenly spread) to
            ``vis_dir/panels``. Default: 0.
        vis_dir (str, optional): Default: ``out_dir`` + ``'_vis'``.
        checkpoint (str, optional): The teacher checkpoint (recorded with its
            sha256). Default: the runner's ``load_from``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: str,
                 label_suffix: str = '.png',
                 resume: bool = True,
                 colorize: bool = False,
                 num_panels: int = 0,
                 vis_dir: Optional[str] = None,
                 checkpoint: Optional[str] = None):
        self.out_dir = osp.abspath(out_dir)
        self.label_suffix = label_suffix
        self.resume = resume
        self.colorize = colorize
        self.num_panels = int(num_panels)
        self.vis_dir = osp.abspath(vis_dir) if vis_dir else \
            self.out_dir.rstrip('/\\') + '_vis'
        self.checkpoint = checkpoint
        self._targets: Dict[str, str] = {}
        self._panel_images: set = set()
        self._manifest: Optional[dict] = None

    # ------------------------------------------------------------ before
    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._model = model
        settings = model.settings() if hasattr(model, 'settings') else {}
        self.ignore_index = settings.get('ignore_index', 255)
        num_classes = settings.get('num_classes') or int(model.out_channels)
        self.dtype = label_io.label_dtype(num_classes, self.ignore_index)
        self._pictures = PseudoLabelPictures(model, num_classes,
                                             runner.visualizer)
        loop = runner.test_loop
        dataset = loop.dataloader.dataset
        images = self._plan(dataset)
        check_output_folders({'--out': self.out_dir,
                              'vis_dir': self.vis_dir},
                             dataset_input_folders(dataset))
        self._manifest = self._open_folder(runner, settings, dataset)
        rank, world = get_dist_info()
        mine = shard_indices(len(images), rank, world)
        pending = self._pending(images, mine)
        loop.dataloader = subset_loader(loop.dataloader, pending)
        self._start = time.perf_counter()
        print_log(
            f'[pseudo-label] {len(images)} images, rank {rank}/{world}: '
            f'{len(mine)} in this shard, {len(mine) - len(pending)} already '
            f'done, {len(pending)} to do -> {self.out_dir}',
            logger='current')

    def _plan(self, dataset) -> List[str]:
        """Map every image to its label file; pick the panel images."""
        images, targets = label_io.dataset_label_paths(
            dataset, self.out_dir, self.label_suffix)
        self._targets = dict(zip(images, targets))
        if self.num_panels > 0 and images:
            picks = np.linspace(0, len(images) - 1,
                                min(self.num_panels, len(images)))
            self._panel_images = {images[int(round(i))] for i in picks}
        return images

    def _open_folder(self, runner, settings: dict, dataset) -> dict:
        """Rank 0 prepares the folder; every rank raises if it refused."""
        shared = [None, None]
        if is_main_process():
            try:
                identity = pl_manifest.run_identity(
                    runner.cfg, settings, dataset,
                    checkpoint=self.checkpoint or runner.cfg.get('load_from'),
                    label_suffix=self.label_suffix, dtype=self.dtype.name,
                    images=len(self._targets))
                shared[0] = pl_folder.open_label_folder(
                    self.out_dir, identity, self.resume, self.label_suffix,
                    derived=[self.vis_dir])
            except pl_folder.PseudoLabelFolderError as e:
                shared[1] = str(e)
        broadcast_object_list(shared)
        if shared[1] is not None:
            raise pl_folder.PseudoLabelFolderError(shared[1])
        return shared[0]

    def _pending(self, images: Sequence[str], mine: List[int]) -> List[int]:
        """This shard's images without a valid label file; counts the
        pixels of the valid ones."""
        self._counts = dict.fromkeys(COUNT_KEYS, 0)
        pending = []
        for i in mine:
            target = self._targets[images[i]]
            label = self._existing_label(target) if self.resume else None
            if label is None:
                pending.append(i)
                continue
            self._count(label, 'skipped')
        return pending

    def _existing_label(self, target: str) -> Optional[np.ndarray]:
        """A label file that exists and decodes with the run's dtype."""
        if not osp.isfile(target):
            return None
        try:
            label = label_io.read_label(target)
        except (OSError, ValueError):
            label = None
        if label is None or label.dtype != self.dtype:
            self._counts['remade'] += 1
            print_log(f'[pseudo-label] {target} is unreadable or of another '
                      'dtype: labelling it again', logger='current',
                      level=30)
            return None
        return label

    def _count(self, label: np.ndarray, kind: str) -> None:
        self._counts[kind] += 1
        self._counts['pixels'] += label.size
        self._counts['ignored'] += int(
            np.count_nonzero(label == self.ignore_index))

    # ---------------------------------------------------------- per batch
    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        for sample in outputs or []:
            img_path = sample.metainfo['img_path']
            target = self._targets[img_path]
            label = sample.pred_sem_seg.data[0].cpu().numpy().astype(
                self.dtype)
            label_io.write_png_atomic(target, label)
            self._count(label, 'written')
            if self.colorize or img_path in self._panel_images:
                self._write_pictures(sample, img_path, target, label)

    def _write_pictures(self, sample, img_path: str, target: str,
                        label: np.ndarray) -> None:
        """Colour copy and/or panel of one label (drawn by the visualizer)."""
        rel = osp.relpath(target, self.out_dir)
        if self.colorize:
            rgb = self._pictures.color_copy(label, self.ignore_index)
            label_io.write_png_atomic(
                osp.join(self.vis_dir, 'color', rel), rgb[..., ::-1])
        if img_path in self._panel_images:
            image = cv2.imread(img_path, cv2.IMREAD_COLOR)
            if image is not None:
                rgb = self._pictures.panel(image[..., ::-1], sample, label,
                                           self.ignore_index)
                label_io.write_png_atomic(
                    osp.join(self.vis_dir, 'panels', rel), rgb[..., ::-1])

    # -------------------------------------------------------------- after
    def after_test(self, runner) -> None:
        counts = torch.tensor([self._counts[k] for k in COUNT_KEYS],
                              dtype=torch.float64)
        all_reduce(counts)
        totals = dict(zip(COUNT_KEYS, (int(v) for v in counts.tolist())))
        # every rank has written its files once all_reduce returned
        if is_main_process():
            missing = sum(not osp.isfile(t) for t in self._targets.values())
            self._finish('complete' if not missing else 'incomplete',
                         totals, missing)
        barrier()

    def mark_interrupted(self) -> None:
        """Record in the manifest that this run stopped on an exception
        (called by ``tools/pseudo_label.py``; rank 0 only)."""
        if self._manifest is not None and is_main_process():
            self._finish('interrupted', self._counts, None)

    def _finish(self, status: str, totals: dict,
                missing: Optional[int]) -> None:
        images = len(self._targets)
        run = dict(
            run_id=self._manifest['run_id'],
            finished=time.strftime('%Y-%m-%d %H:%M:%S'),
            world_size=get_dist_info()[1],
            seconds=round(time.perf_counter() - self._start, 3),
            **totals)
        counts = dict(
            images=images,
            done=None if missing is None else images - missing,
            missing=missing,
            written_this_run=totals['written'],
            skipped_this_run=totals['skipped'],
            remade_this_run=totals['remade'],
            # over every label of the folder when the run is complete
            ignored_pixel_share=totals['ignored'] / max(totals['pixels'], 1))
        self._manifest = pl_folder.finish_manifest(
            self.out_dir, self._manifest, run, counts, status)
        print_log(
            f'[pseudo-label] {status}: wrote {totals["written"]} labels '
            f'({totals["skipped"]} already done, {totals["remade"]} remade) '
            f'in {run["seconds"]:.1f} s; ignored pixels '
            f'{counts["ignored_pixel_share"]:.2%}; manifest '
            f'{pl_manifest.manifest_path(self.out_dir)}',
            logger='current')
