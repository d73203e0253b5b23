# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Models; importing this module registers them in MMSeg's ``MODELS``.

Every module is imported here so that ``import mmseg_unify`` (or a config's
``custom_imports``) registers all of them.
"""
from . import label_noise  # noqa: F401  (plain functions)
from .data_preprocessor import LabelNoisingDataPreprocessor
from .distiller import CWDDistiller
from .dual_path import (DualPathCascadeSegmentor,
                        DualPathConsistencySegmentor)
from .losses import ChannelWiseDivergence
from . import streaming_tta  # noqa: F401,E402  (StreamingSegTTAModel)
from . import tta  # noqa: F401,E402  (OntologyConstrainedTTAModel)

__all__ = [
    'CWDDistiller', 'DualPathCascadeSegmentor',
    'ChannelWiseDivergence', 'DualPathConsistencySegmentor',
    'LabelNoisingDataPreprocessor'
]
