# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Data preprocessing of a distiller: the student's, plus the teacher's."""
from typing import Optional

from mmengine.model import BaseDataPreprocessor

from mmseg.registry import MODELS


class DistillDataPreprocessor(BaseDataPreprocessor):
    """Run the student's and the teacher's data preprocessors on one batch.

    Both see the same augmented samples. The student's output is what the
    student trains and predicts on; in training, the teacher's inputs are
    added as ``teacher_inputs``. A LAD teacher's
    ``LabelNoisingDataPreprocessor`` thus appends a freshly noised label
    channel every iteration, with the teacher's own noise settings. When the
    teacher's preprocessor config equals the student's, the student's inputs
    are reused.

    Args:
        student (dict): Config of the student's data preprocessor.
        teacher (dict, optional): Config of the teacher's data preprocessor.
            ``None`` or equal to ``student``: reuse the student's inputs.
    """

    def __init__(self, student: dict, teacher: Optional[dict] = None):
        super().__init__()
        self.student = MODELS.build(student)
        self.teacher = None
        if teacher is not None and dict(teacher) != dict(student):
            self.teacher = MODELS.build(teacher)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess for the student; add ``teacher_inputs`` in training.

        Args:
            data (dict): A collated batch (``inputs``, ``data_samples``).
            training (bool): Whether this is a training step.

        Returns:
            dict: ``inputs``, ``data_samples`` and, in training,
            ``teacher_inputs``.
        """
        out = self.student(data, training)
        if training:
            out['teacher_inputs'] = out['inputs'] if self.teacher is None \
                else self.teacher(data, True)['inputs']
        return out
