# Copyright (c) mmseg-unify contributors. All rights reserved.
from .cwd import ChannelWiseDivergence

__all__ = ['ChannelWiseDivergence']
