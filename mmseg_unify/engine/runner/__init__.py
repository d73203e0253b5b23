# Copyright (c) mmseg-unify contributors. All rights reserved.
from .label_input_loops import LabelInputTestLoop, LabelInputValLoop

__all__ = ['LabelInputTestLoop', 'LabelInputValLoop']
