# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Channel-wise distillation loss (Shu et al., ICCV 2021)."""
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmseg.registry import MODELS

SIZE_MODES = ('resize_teacher', 'resize_student', 'error')


@MODELS.register_module()
class ChannelWiseDivergence(nn.Module):
    """Channel-wise divergence between student and teacher logits.

    For logits ``S`` and ``T`` of shape (N, C, H, W), each channel is turned
    into a distribution over its H·W positions, ``softmax(x / tau)``, and

    .. math::

        L = \\frac{\\tau^2}{N C} \\sum_{n, c, i}
            p^T_{nci} (\\log p^T_{nci} - \\log p^S_{nci})

    times ``loss_weight``: the formula of MMRazor 1.x's loss of the same
    name. The teacher side is detached. Like MMRazor, no pixel is masked
    (ignore and padding pixels count).

    Args:
        tau (float): Temperature. Default: 1.0.
        loss_weight (float): Weight of the loss. Default: 1.0.
        size_mode (str): What to do when the logits differ in size:
            ``'resize_teacher'`` (default) resizes the teacher's logits
            bilinearly (``align_corners=False``) to the student's size, so the
            student's gradient keeps its own resolution; ``'resize_student'``
            resizes the student's; ``'error'`` raises.
        loss_name (str): Name of the loss item. Default: 'loss_cwd'.
    """

    def __init__(self,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 size_mode: str = 'resize_teacher',
                 loss_name: str = 'loss_cwd'):
        super().__init__()
        if size_mode not in SIZE_MODES:
            raise ValueError(f'ChannelWiseDivergence: size_mode must be one '
                             f'of {SIZE_MODES}, got {size_mode!r}')
        self.tau = tau
        self.loss_weight = loss_weight
        self.size_mode = size_mode
        self._loss_name = loss_name

    def _match_sizes(self, student: Tensor, teacher: Tensor):
        """Bring both logits to one spatial size, per ``size_mode``."""
        if student.shape[-2:] == teacher.shape[-2:]:
            return student, teacher
        if self.size_mode == 'error':
            raise ValueError(
                'ChannelWiseDivergence: student logits '
                f'{tuple(student.shape)} and teacher logits '
                f'{tuple(teacher.shape)} differ in size (size_mode="error")')
        if self.size_mode == 'resize_teacher':
            teacher = F.interpolate(teacher, size=student.shape[-2:],
                                    mode='bilinear', align_corners=False)
        else:
            student = F.interpolate(student, size=teacher.shape[-2:],
                                    mode='bilinear', align_corners=False)
        return student, teacher

    def forward(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            preds_S (Tensor): Student logits (N, C, H, W).
            preds_T (Tensor): Teacher logits (N, C, H', W'); detached here.

        Returns:
            Tensor: The scalar loss.
        """
        if preds_S.shape[:2] != preds_T.shape[:2]:
            raise ValueError(
                'ChannelWiseDivergence: student logits '
                f'{tuple(preds_S.shape)} and teacher logits '
                f'{tuple(preds_T.shape)} differ in batch size or classes')
        student, teacher = self._match_sizes(preds_S, preds_T.detach())
        n, c = student.shape[:2]
        # One log-softmax per side; the teacher side outside autograd.
        log_p_s = F.log_softmax(student.reshape(n * c, -1) / self.tau, dim=1)
        with torch.no_grad():
            log_p_t = F.log_softmax(
                teacher.reshape(n * c, -1) / self.tau, dim=1)
            p_t = log_p_t.exp()
        kl = (p_t * (log_p_t - log_p_s)).sum()
        return self.loss_weight * self.tau**2 * kl / (n * c)

    @property
    def loss_name(self) -> str:
        """Name of the loss item (MMSeg's loss convention)."""
        return self._loss_name
