# Copyright (c) mmseg-unify contributors. All rights reserved.
from .mkl import mean_pairwise_kl, teacher_mkl
from .pseudo_label_quality import format_quality_table, pseudo_label_quality

__all__ = [
    'format_quality_table', 'mean_pairwise_kl', 'pseudo_label_quality',
    'teacher_mkl'
]
