# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Models; importing this module registers them in MMSeg's ``MODELS``."""
from .data_preprocessor import LabelNoisingDataPreprocessor
from .distiller import CWDDistiller
from .dual_path import DualPathConsistencySegmentor
from .losses import ChannelWiseDivergence

__all__ = [
    'CWDDistiller', 'ChannelWiseDivergence', 'DualPathConsistencySegmentor',
    'LabelNoisingDataPreprocessor'
]
