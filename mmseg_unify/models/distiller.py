# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Logit distillation with a frozen teacher (LAD students, CWD baselines)."""
from typing import Optional

import torch
from mmengine.config import ConfigDict
from torch import Tensor

from mmseg.models.segmentors import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import OptSampleList, SampleList, add_prefix
from .distill_preprocessor import DistillDataPreprocessor
from .teacher import build_frozen_teacher, load_teacher_config
from .utils import capture_outputs, logits_layer, main_head

STUDENT = 'student.'


def _first_conv_in_channels(model_cfg: ConfigDict) -> int:
    """Input channels of a segmentor config's backbone (STDC nests it)."""
    backbone = model_cfg.get('backbone', {})
    backbone = backbone.get('backbone_cfg', backbone)
    return int(backbone.get('in_channels', 3))


@MODELS.register_module()
class CWDDistiller(BaseSegmentor):
    """A student segmentor distilled from a frozen teacher with CWD on logits.

    Loss = the student's own losses (prefixed ``student.``) +
    ``distill_loss(student logits, teacher logits)`` (``distill.loss_cwd``),
    both logits taken from the main decode head's ``conv_seg`` at the head's
    own resolution (as MMRazor's CWD config for MMSeg). With a
    LAD teacher (4-channel backbone and ``LabelNoisingDataPreprocessor``) the
    teacher gets a freshly noised label of the same augmented batch every
    iteration; with an ordinary teacher this is the plain CWD baseline.

    The teacher is frozen: built from ``teacher_cfg`` and loaded from
    ``teacher_ckpt`` (any mismatch raises), ``requires_grad=False``, always in
    eval mode (BatchNorm statistics and dropout frozen whatever ``train()`` is
    called with), run under ``no_grad``. It is kept outside the module tree,
    so it is in neither the optimizer nor the checkpoint, and DDP ignores it.
    Checkpoints hold the student's weights under the student's own key names:
    they load straight into the plain student config (``load_from`` or
    ``tools/test.py``), and a plain student checkpoint can warm-start a
    distiller.

    Call graph::

        train_step(data)
         ├─ data_preprocessor(data, True)      # DistillDataPreprocessor
         │   ├─ student preprocessor  -> inputs
         │   └─ teacher preprocessor  -> teacher_inputs (+ noised label)
         └─ forward(inputs, data_samples, 'loss', teacher_inputs)
             └─ loss()
                 ├─ student.loss(inputs)       # student.* losses; conv_seg's
                 │                             # output is captured while it
                 │                             # runs (no 2nd forward)
                 ├─ teacher._forward(teacher_inputs)   # no_grad, eval
                 └─ distill_loss(student logits, teacher logits)
        val_step / test_step -> predict() -> student.predict()

    Args:
        student (dict): Config of the student segmentor (any MMSeg segmentor,
            with its ``data_preprocessor``).
        teacher_cfg (str): Teacher config: ``mmseg_unify::lad/x.py`` (a
            provided config), ``mmseg::x/y.py``, an absolute path (e.g.
            ``'{{fileDirname}}/x.py'``, which mmengine makes absolute) or a
            path relative to the current directory; ``tools/train.py`` and
            ``tools/test.py`` also accept one relative to the config file
            (see :func:`~mmseg_unify.utils.config_ref.resolve_config_ref`).
        teacher_ckpt (str, optional): Teacher checkpoint. ``None`` only for
            tests and smoke runs (a warning is logged).
        distill_loss (dict): The distillation loss. Defaults to
            ``ChannelWiseDivergence`` with ``tau=4`` and ``loss_weight=3``
            (LAD paper eq. 8 and its code); MMRazor's CWD config for
            Cityscapes uses ``tau=1, loss_weight=5``.
        teacher_data_preprocessor (dict, optional): Keys overriding the
            teacher config's ``data_preprocessor`` (e.g. a fixed alpha table
            for the label noise).
        data_preprocessor (dict, optional): Used for the student only if
            ``student`` has none (mmengine's runner passes the config's
            top-level ``data_preprocessor`` here).
        init_cfg (dict, optional): Initialisation config of the student.
    """

    def __init__(self,
                 student: dict,
                 teacher_cfg: str,
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: dict = dict(
                     type='ChannelWiseDivergence', tau=4.0, loss_weight=3.0),
                 teacher_data_preprocessor: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        student = ConfigDict(student)
        student.setdefault('data_preprocessor', data_preprocessor)
        teacher_model_cfg = load_teacher_config(teacher_cfg).model
        teacher_pp = ConfigDict(teacher_model_cfg.get('data_preprocessor'))
        teacher_pp.update(teacher_data_preprocessor or {})
        super().__init__(
            data_preprocessor=DistillDataPreprocessor(
                student.pop('data_preprocessor'), teacher_pp),
            init_cfg=init_cfg)
        self.student = MODELS.build(student)
        self._check_lad_preprocessor(teacher_cfg, teacher_model_cfg)
        # A plain attribute: outside the module tree on purpose (see above).
        # Built under a forked RNG, so that the student's initialisation (by
        # the runner, after this) equals that of the undistilled baseline.
        with torch.random.fork_rng():
            self.__dict__['teacher'] = build_frozen_teacher(
                teacher_cfg, teacher_ckpt)
        self._check_classes(teacher_cfg)
        self.distill_loss = MODELS.build(distill_loss)
        logits_layer(self.student)  # fail at build time without conv_seg
        self.register_state_dict_post_hook(_drop_student_prefix)
        self._register_load_state_dict_pre_hook(
            _add_student_prefix, with_module=True)

    # ----------------------------------------------------------- checks --
    def _check_lad_preprocessor(self, teacher_cfg: str,
                                teacher_model_cfg: ConfigDict) -> None:
        """A teacher with a label input channel needs a noising preprocessor.
        """
        channels = _first_conv_in_channels(teacher_model_cfg)
        if channels == 3:
            return
        noising = MODELS.get('LabelNoisingDataPreprocessor')
        pp = self.data_preprocessor.teacher or self.data_preprocessor.student
        if noising is None or not isinstance(pp, noising):
            raise ValueError(
                f'{teacher_cfg}: the teacher backbone '
                f'({teacher_model_cfg.backbone.type}) takes {channels} input '
                'channels, i.e. it is a LAD teacher, but its data_preprocessor'
                f' is {type(pp).__name__}; a LAD teacher needs '
                'LabelNoisingDataPreprocessor to receive the noised label.')

    def _check_classes(self, teacher_cfg: str) -> None:
        """Teacher and student must predict the same classes."""
        s, t = main_head(self.student), main_head(self.teacher)
        if s.num_classes != t.num_classes:
            raise ValueError(
                f'CWDDistiller: the teacher {teacher_cfg} '
                f'({type(t).__name__}) predicts {t.num_classes} classes but '
                f'the student ({type(s).__name__}) predicts '
                f'{s.num_classes}; they must share one taxonomy.')

    # ------------------------------------------------------ module glue --
    def _apply(self, fn, *args, **kwargs):
        """Move/cast the teacher with the student (``to``, ``cuda``, ...)."""
        super()._apply(fn, *args, **kwargs)
        self.teacher._apply(fn, *args, **kwargs)
        return self

    # ------------------------------------------------------ segmentor API --
    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor',
                teacher_inputs: Optional[Tensor] = None):
        """Dispatch like :class:`BaseSegmentor`; ``loss`` gets the teacher's
        inputs from :class:`DistillDataPreprocessor`."""
        if mode == 'loss':
            return self.loss(inputs, data_samples, teacher_inputs)
        return super().forward(inputs, data_samples, mode)

    def loss(self,
             inputs: Tensor,
             data_samples: SampleList,
             teacher_inputs: Optional[Tensor] = None) -> dict:
        """Student losses plus the distillation loss.

        Args:
            inputs (Tensor): Student inputs (N, 3, H, W).
            data_samples (list[SegDataSample]): With ``gt_sem_seg``.
            teacher_inputs (Tensor, optional): Teacher inputs; defaults to
                ``inputs`` (ordinary teachers sharing normalisation).

        Returns:
            dict[str, Tensor]: ``student.*`` and ``distill.loss_cwd``.
        """
        with capture_outputs(logits_layer(self.student)) as caught:
            losses = add_prefix(self.student.loss(inputs, data_samples),
                                'student')
        student_logits = caught[-1]
        with torch.no_grad():
            teacher_logits = self.teacher._forward(
                inputs if teacher_inputs is None else teacher_inputs)
        losses['distill.loss_cwd'] = self.distill_loss(
            student_logits, teacher_logits)
        return losses

    def predict(self, inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """The student's prediction."""
        return self.student.predict(inputs, data_samples)

    def _forward(self, inputs: Tensor, data_samples: OptSampleList = None):
        """The student's raw logits."""
        return self.student._forward(inputs, data_samples)

    def extract_feat(self, inputs: Tensor):
        """The student's features."""
        return self.student.extract_feat(inputs)

    def encode_decode(self, inputs: Tensor, batch_data_samples: SampleList):
        """The student's upsampled logits."""
        return self.student.encode_decode(inputs, batch_data_samples)


def _drop_student_prefix(module, state_dict, prefix, local_metadata) -> None:
    """Save the student under its own key names (``student.x`` -> ``x``)."""
    for key in [k for k in state_dict if k.startswith(prefix + STUDENT)]:
        state_dict[prefix + key[len(prefix + STUDENT):]] = state_dict.pop(key)


def _add_student_prefix(module, state_dict, prefix, *args) -> None:
    """Load plain student keys (``x``) into ``student.x``."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        rest = key[len(prefix):]
        if not rest.startswith(STUDENT) and not rest.startswith(
                'data_preprocessor.'):
            state_dict[prefix + STUDENT + rest] = state_dict.pop(key)
