# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Shared fixtures: a small generated demo dataset and the repository root."""
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SMALL_COUNTS = {
    'demo_urban': dict(train=8, val=4),
    'demo_coarse': dict(train=6, val=2),
    'demo_split': dict(train=6, val=2),
}


@pytest.fixture(scope='session')
def repo_root():
    return ROOT


@pytest.fixture(scope='session')
def small_demo(tmp_path_factory):
    """A tiny demo data root (same generator, fewer images)."""
    from mmseg_unify.datasets.demo_data import generate_demo_data
    root = str(tmp_path_factory.mktemp('demo') / 'demo')
    return generate_demo_data(root, seed=0, counts=SMALL_COUNTS)


def random_seg_batch(n, num_classes, size):
    """A collated (not preprocessed) batch of random images and labels.

    Args:
        n (int): Number of samples.
        num_classes (int): Labels are drawn from ``0..num_classes - 1``.
        size (int): Height and width of images and labels.

    Returns:
        dict: ``inputs`` (list of (3, size, size) float tensors) and
        ``data_samples`` (``SegDataSample`` with ``gt_sem_seg``).
    """
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(n):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=torch.randint(
            0, num_classes, (1, size, size), generator=g))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size)))
        samples.append(s)
    inputs = [torch.randint(0, 255, (3, size, size), generator=g).float()
              for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)
