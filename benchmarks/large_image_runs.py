# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The large-image case of the pseudo-labelling benchmarks: one 1920x1208
image with a 63-class ontology map (:func:`write_large_case`), pseudo-
labelled once per resize route in a fresh process each (:func:`run_large`),
with its time in the network's forward, in the region pooling and its peak
resident memory.

    python benchmarks/large_image_runs.py CASE ROUTE

is that fresh process (:func:`large_worker`).
"""
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time

from common import ROOT
from pseudo_label_runs import EXTRA, TEACHER, timed_pooling


def write_large_case(work, size, num_classes) -> str:
    """A large image, its raw label and a 63-class ontology map."""
    import cv2
    import numpy as np
    import yaml
    rng = np.random.default_rng(0)
    h, w = size
    case = osp.join(work, 'large')
    for sub in ('img', 'ann', 'maps', 'taxonomies'):
        os.makedirs(osp.join(case, sub), exist_ok=True)
    # smooth random image (a network sees structure, not white noise)
    small = rng.integers(0, 256, (h // 16, w // 16, 3), dtype=np.uint8)
    cv2.imwrite(osp.join(case, 'img', 'big.png'),
                cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))
    extra_ids = list(range(30))
    blocks = rng.choice(extra_ids, (h // 32, w // 32)).astype(np.uint8)
    cv2.imwrite(osp.join(case, 'ann', 'big.png'),
                cv2.resize(blocks, (w, h), interpolation=cv2.INTER_NEAREST))
    source = dict(name='bench_source', classes=[
        dict(id=i, name=f's{i}') for i in range(num_classes)])
    extra = dict(name='bench_extra', classes=[
        dict(id=i, name=f'e{i}', void=(i == 0)) for i in extra_ids])
    allowed = {}
    for i in extra_ids:
        picks = rng.choice(num_classes, int(rng.integers(0, 6)), False)
        allowed[f'e{i}'] = [f's{int(c)}' for c in picks] + (
            ['void'] if rng.random() < 0.3 else [])
    for name, data in (('taxonomies/bench_source.yaml', source),
                       ('taxonomies/bench_extra.yaml', extra),
                       ('maps/bench_extra_to_bench_source.yaml',
                        dict(extra='bench_extra', source='bench_source',
                             allowed=allowed))):
        with open(osp.join(case, name), 'w') as f:
            yaml.safe_dump(data, f)
    return case


def large_worker(case: str, route: str) -> None:
    """Runs in a fresh process: pseudo-label the large image once."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmseg.registry import DATASETS, MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    import mmseg_unify  # noqa: F401
    from mmseg_unify.models.tta import OntologyConstrainedTTAModel
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(ROOT, TEACHER))
    num_classes = int(os.environ['BENCH_CLASSES'])
    cfg.model.decode_head.num_classes = num_classes
    cfg.model.auxiliary_head.num_classes = num_classes
    teacher = MODELS.build(cfg.model).eval()
    from pseudo_label_timer import time_forwards
    times = dict(forward=0.0)
    time_forwards(teacher, times)
    region_weight = float(os.environ.get('BENCH_REGION_WEIGHT', 0))
    if region_weight > 0:
        timed_pooling(times)
    tta = OntologyConstrainedTTAModel(
        teacher,
        ontology=osp.join(case, 'maps', 'bench_extra_to_bench_source.yaml'),
        direct_resize=(route != 'mmseg'), region_weight=region_weight,
        region_rule=os.environ.get('BENCH_REGION_RULE',
                                   'ambiguous-no-void'),
        region_keep=[f's{i}' for i in range(
            int(os.environ.get('BENCH_REGION_KEEP', 0)))])
    extra_cfg = Config.fromfile(osp.join(ROOT, EXTRA))
    dataset = DATASETS.build(
        dict(type='BaseSegDataset', data_root=case,
             data_prefix=dict(img_path='img', seg_map_path='ann'),
             img_suffix='.png', seg_map_suffix='.png',
             pipeline=extra_cfg.tta_pipeline))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    batch = pseudo_collate([dataset[0]])
    load = time.perf_counter() - start
    out = tta.test_step(batch)[0]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(
        route=route, seconds=round(seconds, 2), load_seconds=round(load, 2),
        forward_seconds=round(times['forward'], 2),
        pooling_seconds=round(times.get('pooling', 0.0), 3),
        baseline_rss_mb=round(base), peak_rss_mb=round(peak),
        label_shape=list(out.pred_sem_seg.data.shape[1:]))))


def run_large(case, num_classes, routes, threads=None, region=None) -> list:
    """Pseudo-label the large case once per route, each in a fresh process.

    Args:
        case (str): Folder of :func:`write_large_case`.
        num_classes (int): Classes of the random teacher.
        routes (Sequence[str]): Of ``'direct'`` (the direct resize),
            ``'mmseg'`` (MMSeg's route) and ``'direct+pool'`` (the direct
            route with region pooling, which needs ``region``).
        threads (int, optional): ``OMP_NUM_THREADS`` of the processes.
        region (dict, optional): Pooling ``weight``, ``rule``, ``keep``.

    Returns:
        list[dict]: The JSON line of :func:`large_worker` per route.
    """
    rows = []
    for route in routes:
        env = dict(os.environ, BENCH_CLASSES=str(num_classes))
        if route == 'direct+pool':
            env.update(BENCH_REGION_WEIGHT=str(region['weight']),
                       BENCH_REGION_RULE=region['rule'],
                       BENCH_REGION_KEEP=str(len(region['keep'])))
        if threads:
            env['OMP_NUM_THREADS'] = str(threads)
        proc = subprocess.run(
            [sys.executable, osp.abspath(__file__), case, route], cwd=ROOT,
            env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


if __name__ == '__main__':
    large_worker(*sys.argv[1:])
