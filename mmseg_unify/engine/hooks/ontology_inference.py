# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``OntologyConstrainedInference``: write pseudo-labels during a test run.

The hook turns an ordinary ``runner.test()`` over an extra dataset, with the
teacher wrapped in :class:`~mmseg_unify.models.tta.OntologyConstrainedTTAModel`
(or any model returning ``pred_sem_seg``), into a resumable, sharded
pseudo-labelling job:

* one label PNG per image under ``out_dir``, mirroring the image's path
  relative to the dataset's ``data_prefix['img_path']`` (extension replaced
  by ``label_suffix``); ``uint8``, or ``uint16`` when the labels do not fit;
* every file written atomically: a hidden temporary file in the same folder,
  then ``os.replace``; a killed run leaves complete files or none (leftover
  temporaries are removed when the run is started again);
* the hook replaces the test dataloader's sampler before the first batch:
  rank ``r`` of ``w`` takes images ``r, r+w, r+2w, ...`` of the dataset (no
  image twice, none left out, unlike a padded ``DefaultSampler``), minus the
  images whose label file already exists (resume), so finished images are
  never loaded nor run through the network again;
* ``manifest.json`` in ``out_dir``: teacher config and checkpoint (sha256),
  ontology map (sha256), the model's and the TTA pipeline's settings, counts
  (written, already there, share of ignored pixels). A run into an ``out_dir``
  made with another checkpoint, map or TTA setting refuses to mix them;
* optionally colourised copies of every label (``colorize``) and
  RGB | GT | prediction | pseudo-label panels for ``num_panels`` images spread
  evenly over the dataset, in ``vis_dir``.
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
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
from mmengine.utils import ProgressBar
from mmseg.registry import HOOKS
from torch.utils.data import DataLoader

MANIFEST = 'manifest.json'
MANIFEST_VERSION = 1
TMP_SUFFIX = '.tmp'
# Keys of the manifest that must match for a run to continue an out_dir.
IDENTITY_KEYS = ('checkpoint_sha256', 'ontology_sha256', 'model', 'tta',
                 'label_suffix', 'label_dtype')


def sha256_file(path: Optional[str], chunk: int = 1 << 22) -> Optional[str]:
    """Hex sha256 of a file (``None`` for no file).

    Args:
        path (str, optional): The file.
        chunk (int): Read size in bytes.

    Returns:
        str | None: The digest.
    """
    if not path:
        return None
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def write_png_atomic(path: str, image: np.ndarray) -> None:
    """Write ``image`` as PNG to ``path`` so that ``path`` is either absent
    or complete: encode, write a hidden temporary file in the same folder,
    then ``os.replace`` it onto ``path``.

    Args:
        path (str): Target file.
        image (np.ndarray): ``uint8``/``uint16`` H x W, or H x W x 3 (BGR).
    """
    folder, name = osp.split(path)
    os.makedirs(folder or '.', exist_ok=True)
    ok, buf = cv2.imencode('.png', image)
    if not ok:
        raise OSError(f'could not encode {path} as PNG')
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{name}.', suffix=TMP_SUFFIX, dir=folder or '.')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(buf.tobytes())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def label_dtype(num_classes: int, ignore_index: int) -> np.dtype:
    """``uint8`` if every class id and ``ignore_index`` fit, else
    ``uint16``.

    Raises:
        ValueError: If ``ignore_index`` is a class id or exceeds 16 bits.
    """
    if 0 <= ignore_index < num_classes:
        raise ValueError(f'ignore_index {ignore_index} is also a class id '
                         f'({num_classes} classes); choose one >= '
                         f'{num_classes} (e.g. 65535)')
    if max(num_classes - 1, ignore_index) <= 255:
        return np.dtype(np.uint8)
    if ignore_index <= 65535:
        return np.dtype(np.uint16)
    raise ValueError(f'ignore_index {ignore_index} does not fit 16 bits')


def _palette(num: int, seed: int = 0) -> np.ndarray:
    """A fixed random RGB palette for taxonomies without colours."""
    return np.random.default_rng(seed).integers(
        0, 256, size=(num, 3), dtype=np.uint8)


def _plain(obj):
    """Config objects -> JSON-ready builtins."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def tta_summary(pipeline: Sequence[dict]) -> dict:
    """Scales and flips of the ``TestTimeAug`` in a pipeline config.

    Args:
        pipeline (Sequence[dict]): A dataset pipeline config.

    Returns:
        dict: ``scales`` (list of ``scale_factor`` or ``scale``) and ``flip``
        (whether a flipped copy is used); empty without ``TestTimeAug``.
    """
    for step in pipeline or []:
        if step.get('type') != 'TestTimeAug':
            continue
        scales, flip = [], False
        for group in step.get('transforms', []):
            for t in group:
                if t.get('type') == 'Resize':
                    scales.append(
                        _plain(t.get('scale_factor', t.get('scale'))))
                elif t.get('type') == 'RandomFlip' and t.get('prob', 0) > 0:
                    flip = True
        return dict(scales=scales, flip=flip)
    return {}


def panel(image: np.ndarray, tiles: Sequence[np.ndarray],
          titles: Sequence[str], max_width: int = 640,
          min_width: int = 256) -> np.ndarray:
    """Put an image and colour maps side by side, each titled.

    Args:
        image (np.ndarray): BGR image.
        tiles (Sequence[np.ndarray]): RGB colour maps of the image's size.
        titles (Sequence[str]): One title per column (image first).
        max_width (int): Each column is scaled down to at most this width.
        min_width (int): Small images are scaled up (by an integer factor)
            to at least this width.

    Returns:
        np.ndarray: BGR panel.
    """
    cols = [image] + [t[..., ::-1] for t in tiles]
    h, w = image.shape[:2]
    scale = max_width / w if w > max_width else float(-(-min_width // w))
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    out = []
    for col, title in zip(cols, titles):
        col = cv2.resize(
            np.ascontiguousarray(col), size, interpolation=cv2.INTER_NEAREST)
        bar = np.full((18, size[0], 3), 255, np.uint8)
        cv2.putText(bar, title, (2, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (0, 0, 0), 1, cv2.LINE_AA)
        out.append(np.concatenate([bar, col], axis=0))
    return np.concatenate(out, axis=1)


@HOOKS.register_module()
class OntologyConstrainedInference(Hook):
    """Write pseudo-labels of a test run (see the module doc).

    Args:
        out_dir (str): Root of the pseudo-label files.
        label_suffix (str): Replaces the image suffix (the dataset's
            ``img_suffix`` if the file name ends with it, else the
            extension). Default: ``'.png'``.
        resume (bool): Skip images whose label file exists. ``False``
            recomputes (and replaces) every label. Default: True.
        colorize (bool): Also write a colour copy of every label to
            ``vis_dir/color``. Default: False.
        num_panels (int): Write RGB | GT | prediction | pseudo-label panels
            of this many images (evenly spread) to ``vis_dir/panels``.
            Default: 0.
        vis_dir (str, optional): Default: ``out_dir`` + ``'_vis'``.
        teacher_config (str, optional): Recorded in the manifest. Default:
            the runner's config file.
        checkpoint (str, optional): Recorded (with its sha256). Default:
            the runner's ``load_from``.
        progress (bool): Show a progress bar on rank 0 (its share of the
            images). Default: True.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: str,
                 label_suffix: str = '.png',
                 resume: bool = True,
                 colorize: bool = False,
                 num_panels: int = 0,
                 vis_dir: Optional[str] = None,
                 teacher_config: Optional[str] = None,
                 checkpoint: Optional[str] = None,
                 progress: bool = True):
        self.out_dir = osp.abspath(out_dir)
        self.label_suffix = label_suffix
        self.resume = resume
        self.colorize = colorize
        self.num_panels = int(num_panels)
        self.vis_dir = osp.abspath(vis_dir) if vis_dir else \
            self.out_dir.rstrip(os.sep) + '_vis'
        self.teacher_config = teacher_config
        self.checkpoint = checkpoint
        self.progress = progress
        self._targets: Dict[str, str] = {}
        self._panel_images: set = set()
        self._bar = None

    # ------------------------------------------------------------------ #
    # paths
    # ------------------------------------------------------------------ #
    def target_of(self, img_path: str, img_prefix: str,
                  img_suffix: Optional[str]) -> str:
        """Label file of an image: its path relative to ``img_prefix``
        under ``out_dir``, with the suffix replaced.

        Args:
            img_path (str): The image file.
            img_prefix (str): The dataset's ``data_prefix['img_path']``.
            img_suffix (str, optional): The dataset's ``img_suffix``.

        Returns:
            str: The label file.
        """
        rel = osp.relpath(img_path, img_prefix) if img_prefix else \
            osp.basename(img_path)
        if rel.startswith('..'):
            raise ValueError(f'{img_path} is not under the dataset image '
                             f'prefix {img_prefix}')
        if img_suffix and rel.endswith(img_suffix):
            stem = rel[:-len(img_suffix)]
        else:
            stem = osp.splitext(rel)[0]
        return osp.join(self.out_dir, stem + self.label_suffix)

    # ------------------------------------------------------------------ #
    # before the run: manifest, sharding, resume
    # ------------------------------------------------------------------ #
    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._model = model
        settings = model.settings() if hasattr(model, 'settings') else {}
        num_classes = settings.get('num_classes') or int(
            getattr(model, 'module', model).out_channels)
        self.ignore_index = settings.get('ignore_index', 255)
        self.dtype = label_dtype(num_classes, self.ignore_index)
        self._colours(model, num_classes)

        loop = runner.test_loop
        loader = loop.dataloader
        dataset = loader.dataset
        img_prefix = dataset.data_prefix.get('img_path', '') if hasattr(
            dataset, 'data_prefix') else ''
        img_suffix = getattr(dataset, 'img_suffix', None)
        num = len(dataset)
        images = [dataset.get_data_info(i)['img_path'] for i in range(num)]
        targets = [self.target_of(p, img_prefix, img_suffix) for p in images]
        if len(set(targets)) != num:
            raise ValueError('two images of the dataset map to the same '
                             'label file; check img_suffix/label_suffix')
        self._targets = dict(zip(images, targets))
        if self.num_panels > 0 and num:
            picks = np.linspace(0, num - 1, min(self.num_panels, num))
            self._panel_images = {images[int(round(i))] for i in picks}

        os.makedirs(self.out_dir, exist_ok=True)
        self._manifest = self._check_manifest(runner, model, settings,
                                              dataset, num)

        rank, world = get_dist_info()
        mine = list(range(rank, num, world))
        existing = self._existing_and_cleanup([targets[i] for i in mine])
        pending = [i for i in mine
                   if not (self.resume and targets[i] in existing)]
        self._counts = dict(
            images=num,
            written=0,
            skipped=len(mine) - len(pending),
            pixels=0,
            ignored=0)
        loop.dataloader = _same_loader(loader, pending)
        self._model_timing = dict(getattr(model, 'timing', {}))
        self._write_seconds = 0.0
        self._start = time.perf_counter()
        print_log(
            f'[pseudo-label] {num} images, rank {rank}/{world}: '
            f'{len(mine)} in this shard, {len(mine) - len(pending)} already '
            f'done, {len(pending)} to do -> {self.out_dir}',
            logger='current')
        if self.progress and rank == 0 and pending:
            self._bar = ProgressBar(len(pending))

    def _colours(self, model, num_classes: int) -> None:
        """Source palette (labels) and extra colour table (raw GT)."""
        ontology = getattr(model, 'ontology', None)
        source = getattr(ontology, 'source', None)
        extra = getattr(ontology, 'extra', None)
        palette = np.asarray(source.palette, np.uint8) if source is not None \
            else _palette(num_classes)
        self._label_lut = np.zeros((65536, 3), np.uint8)
        self._label_lut[:len(palette)] = palette
        self._gt_lut = np.zeros((65536, 3), np.uint8)
        if extra is not None:
            for cls in extra.classes:
                self._gt_lut[cls.id] = cls.color
        else:
            self._gt_lut[:] = _palette(65536, seed=1)

    def _identity(self, runner, model, settings: dict, dataset) -> dict:
        """The manifest fields that describe how the labels are made."""
        cfg = runner.cfg
        checkpoint = self.checkpoint or cfg.get('load_from')
        teacher_config = self.teacher_config or cfg.filename
        pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
            'pipeline', [])
        ontology = settings.get('ontology')
        return dict(
            version=MANIFEST_VERSION,
            teacher_config=teacher_config,
            teacher_config_sha256=sha256_file(teacher_config) if
            teacher_config and osp.isfile(teacher_config) else None,
            checkpoint=checkpoint,
            checkpoint_sha256=sha256_file(checkpoint) if checkpoint and
            osp.isfile(checkpoint) else None,
            ontology=ontology,
            ontology_sha256=sha256_file(ontology) if ontology else None,
            # paths may differ between runs; the sha256 sums identify files
            model=_plain({k: v
                          for k, v in settings.items() if k != 'ontology'}),
            tta=dict(tta_summary(pipeline), pipeline=_plain(pipeline)),
            dataset=dict(
                type=type(dataset).__name__,
                data_root=getattr(dataset, 'data_root', None),
                data_prefix=_plain(getattr(dataset, 'data_prefix', {}))),
            label_suffix=self.label_suffix,
            label_dtype=self.dtype.name,
            ignore_index=self.ignore_index)

    def _check_manifest(self, runner, model, settings, dataset,
                        num: int) -> dict:
        """Rank 0 compares the settings with an existing manifest and
        (re)writes it; every rank raises if they differ."""
        message, manifest = None, None
        if is_main_process():
            manifest = self._identity(runner, model, settings, dataset)
            path = osp.join(self.out_dir, MANIFEST)
            old = None
            if osp.isfile(path):
                with open(path) as f:
                    old = json.load(f)
            if old is not None and self.resume:
                diff = [k for k in IDENTITY_KEYS if old.get(k) != manifest[k]]
                if diff:
                    message = (
                        f'{self.out_dir} holds pseudo-labels made with other '
                        f'settings ({", ".join(diff)} differ from '
                        f'{path}); use another output folder, remove it, or '
                        'run without resuming to replace every label.')
                else:
                    manifest['runs'] = old.get('runs', [])
            manifest.setdefault('runs', [])
            manifest.update(status='running', images=num)
            if message is None:
                _write_json_atomic(path, manifest)
        shared = [message]
        broadcast_object_list(shared)
        if shared[0] is not None:
            raise RuntimeError(shared[0])
        return manifest

    def _existing_and_cleanup(self, targets: List[str]) -> set:
        """Label files among ``targets`` that exist; temporaries left by a
        killed run for these targets are removed (only this rank writes
        them, so no other rank's file is touched)."""
        by_dir: Dict[str, set] = {}
        for t in targets:
            by_dir.setdefault(osp.dirname(t), set()).add(osp.basename(t))
        existing = set()
        for folder, names in by_dir.items():
            if not osp.isdir(folder):
                continue
            for entry in os.scandir(folder):
                name = entry.name
                if name in names:
                    existing.add(osp.join(folder, name))
                elif name.startswith('.') and name.endswith(TMP_SUFFIX):
                    base = name[1:-len(TMP_SUFFIX)].rsplit('.', 1)[0]
                    if base in names:
                        os.remove(entry.path)
        return existing

    # ------------------------------------------------------------------ #
    # per batch: write labels
    # ------------------------------------------------------------------ #
    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs: Optional[Sequence] = None) -> None:
        start = time.perf_counter()
        for sample in outputs or []:
            img_path = sample.metainfo['img_path']
            target = self._targets[img_path]
            label = sample.pred_sem_seg.data[0].cpu().numpy().astype(
                self.dtype)
            write_png_atomic(target, label)
            self._counts['written'] += 1
            self._counts['pixels'] += label.size
            self._counts['ignored'] += int(
                np.count_nonzero(label == self.ignore_index))
            if self.colorize:
                rel = osp.relpath(target, self.out_dir)
                write_png_atomic(
                    osp.join(self.vis_dir, 'color', rel),
                    self._label_lut[label][..., ::-1])
            if img_path in self._panel_images:
                self._write_panel(sample, img_path, target, label)
            if self._bar is not None:
                self._bar.update()
        self._write_seconds += time.perf_counter() - start

    def _write_panel(self, sample, img_path: str, target: str,
                     label: np.ndarray) -> None:
        """RGB | GT | prediction | pseudo-label of one image."""
        image = cv2.imread(img_path, cv2.IMREAD_COLOR)
        if image is None:
            return
        tiles, titles = [], ['RGB']
        if 'gt_sem_seg' in sample:
            gt = sample.gt_sem_seg.data[0].cpu().numpy()
            tiles.append(self._gt_lut[np.clip(gt, 0, 65535)])
            titles.append('GT (extra)')
        if 'unconstrained_sem_seg' in sample:
            pred = sample.unconstrained_sem_seg.data[0].cpu().numpy()
            tiles.append(self._label_lut[pred])
            titles.append('prediction')
        tiles.append(self._label_lut[label])
        titles.append('pseudo-label')
        rel = osp.relpath(target, self.out_dir)
        write_png_atomic(
            osp.join(self.vis_dir, 'panels', rel), panel(image, tiles, titles))

    # ------------------------------------------------------------------ #
    # after the run: counts and manifest
    # ------------------------------------------------------------------ #
    def after_test(self, runner) -> None:
        if self._bar is not None:
            print('', flush=True)
            self._bar = None
        seconds = time.perf_counter() - self._start
        timing = getattr(self._model, 'timing', {})
        keys = ('written', 'skipped', 'pixels', 'ignored')
        counts = torch.tensor(
            [self._counts[k] for k in keys] + [
                timing.get(k, 0.0) - self._model_timing.get(k, 0.0)
                for k in ('forward', 'total')
            ] + [self._write_seconds],
            dtype=torch.float64)
        all_reduce(counts)
        totals = dict(zip(keys, (int(v) for v in counts[:4].tolist())))
        # process-seconds summed over ranks: network forward passes, the
        # whole TTA model (forward + resizing + ontology), label writing
        profile = dict(
            zip(('forward_seconds', 'model_seconds', 'write_seconds'),
                (round(v, 3) for v in counts[4:].tolist())))
        peak = torch.tensor([_peak_rss_mb()], dtype=torch.float64)
        all_reduce(peak, op='max')
        profile['peak_rss_mb_max_rank'] = round(float(peak), 1)
        # every rank has written its files once all_reduce returned
        if is_main_process():
            missing = [
                t for t in self._targets.values() if not osp.isfile(t)
            ]
            manifest = self._manifest
            run = dict(
                finished=time.strftime('%Y-%m-%d %H:%M:%S'),
                world_size=get_dist_info()[1],
                seconds=round(seconds, 3),
                **totals,
                **profile)
            manifest['runs'].append(run)
            # Labels written by a run that was killed are in no run's
            # pixel counts; the share is over the runs that finished.
            pixels = sum(r['pixels'] for r in manifest['runs'])
            ignored = sum(r['ignored'] for r in manifest['runs'])
            manifest.update(
                status='complete' if not missing else 'incomplete',
                counts=dict(
                    images=self._counts['images'],
                    done=self._counts['images'] - len(missing),
                    missing=len(missing),
                    written_this_run=totals['written'],
                    skipped_this_run=totals['skipped'],
                    ignored_pixel_share=ignored / max(pixels, 1)))
            _write_json_atomic(osp.join(self.out_dir, MANIFEST), manifest)
            print_log(
                f'[pseudo-label] wrote {totals["written"]} labels '
                f'({totals["skipped"]} already done) in {seconds:.1f} s; '
                f'ignored pixels '
                f'{totals["ignored"] / max(totals["pixels"], 1):.2%}; '
                f'{len(missing)} missing; manifest '
                f'{osp.join(self.out_dir, MANIFEST)}',
                logger='current')
        barrier()


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (0 if unknown)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_json_atomic(path: str, data: dict) -> None:
    """``json.dump`` through a temporary file and ``os.replace``."""
    folder = osp.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix='.manifest.', suffix=TMP_SUFFIX,
                               dir=folder)
    with os.fdopen(fd, 'w') as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def _same_loader(loader: DataLoader, indices: List[int]) -> DataLoader:
    """A dataloader like ``loader`` that yields exactly ``indices`` of its
    dataset, in order (the sampler cannot be swapped on a built one)."""
    kwargs = dict(
        batch_size=loader.batch_size,
        sampler=indices,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        worker_init_fn=loader.worker_init_fn,
        drop_last=False)
    if loader.num_workers > 0:
        kwargs.update(
            persistent_workers=loader.persistent_workers,
            prefetch_factor=loader.prefetch_factor)
    return DataLoader(loader.dataset, **kwargs)
