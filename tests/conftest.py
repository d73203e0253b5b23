# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Shared fixtures: a small generated demo dataset and the repository root."""
import pytest

from helpers import ROOT

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
