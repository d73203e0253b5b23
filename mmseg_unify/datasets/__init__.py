# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Datasets; importing this module registers them in MMSeg's ``DATASETS``."""
from .demo_data import generate_demo_data
from .demo_dataset import DemoUrbanDataset
from .taxonomy_dataset import TaxonomySegDataset  # noqa: F401
from .transforms import LoadAnnotations16Bit  # noqa: F401  (register)

__all__ = ['DemoUrbanDataset', 'generate_demo_data']
