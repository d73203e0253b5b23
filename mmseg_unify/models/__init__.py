# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Models; importing this module registers them in MMSeg's ``MODELS``."""
from .distiller import CWDDistiller
from .losses import ChannelWiseDivergence

__all__ = ['CWDDistiller', 'ChannelWiseDivergence']
