# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Datasets; importing this module registers them in MMSeg's ``DATASETS``."""
from .demo_data import generate_demo_data
from .demo_dataset import DemoUrbanDataset
from .prior_mask import LoadPriorMask  # noqa: F401  (register)
from .taxonomy_dataset import TaxonomySegDataset  # noqa: F401
from .transforms import LoadAnnotations16Bit  # noqa: F401  (register)
from .unlabelled_dataset import UnlabelledDataset

__all__ = ['DemoUrbanDataset', 'UnlabelledDataset', 'generate_demo_data']
