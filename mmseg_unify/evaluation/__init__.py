# Copyright (c) mmseg-unify contributors. All rights reserved.
from .mkl import mean_pairwise_kl, teacher_mkl

__all__ = ['mean_pairwise_kl', 'teacher_mkl']
