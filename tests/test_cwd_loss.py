# Copyright (c) mmseg-unify contributors. All rights reserved.
"""ChannelWiseDivergence against independent computations."""
import math

import pytest
import torch

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS


def reference_cwd(s, t, tau):
    """The formula written out channel by channel with plain loops."""
    n, c = s.shape[:2]
    total = 0.0
    for i in range(n):
        for k in range(c):
            ps = torch.softmax(s[i, k].flatten().double() / tau, 0)
            pt = torch.softmax(t[i, k].flatten().double() / tau, 0)
            total += float((pt * (pt.log() - ps.log())).sum())
    return tau**2 * total / (n * c)


def build(**kwargs):
    return MODELS.build(dict(type='ChannelWiseDivergence', **kwargs))


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_equals_reference(tau):
    g = torch.Generator().manual_seed(0)
    s = torch.randn(2, 5, 6, 7, generator=g) * 3
    t = torch.randn(2, 5, 6, 7, generator=g) * 3
    loss = build(tau=tau, loss_weight=3.0)(s, t)
    assert loss.item() == pytest.approx(3.0 * reference_cwd(s, t, tau),
                                        rel=1e-6, abs=1e-7)


def test_hand_computed_value():
    # one channel of two positions: student (0, 0), teacher (log 3, 0)
    s = torch.zeros(1, 1, 1, 2)
    t = torch.tensor([[[[math.log(3.0), 0.0]]]])
    # p_T = (3/4, 1/4), p_S = (1/2, 1/2)
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert build()(s, t).item() == pytest.approx(expected, rel=1e-6)


def test_zero_for_identical_logits_and_teacher_detached():
    s = torch.randn(2, 3, 4, 4, requires_grad=True)
    t = s.detach().clone().requires_grad_(True)
    loss = build(tau=2.0)(s, t)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    (build(tau=2.0)(s, t * 2)).backward()
    assert s.grad is not None and t.grad is None


def test_different_sizes():
    s = torch.randn(1, 3, 8, 8)
    t = torch.randn(1, 3, 16, 16)
    resized = torch.nn.functional.interpolate(
        t, size=(8, 8), mode='bilinear', align_corners=False)
    assert build()(s, t).item() == pytest.approx(
        reference_cwd(s, resized, 1.0), rel=1e-6)
    with pytest.raises(ValueError, match='differ in size'):
        build(size_mode='error')(s, t)
    assert build(size_mode='resize_student')(s, t).item() > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='size_mode must be one of'):
        build(size_mode='crop')
    with pytest.raises(ValueError, match='batch size or classes'):
        build()(torch.randn(1, 3, 4, 4), torch.randn(1, 4, 4, 4))


def mmrazor_formula(preds_S, preds_T, tau, loss_weight):
    """The formula as MMRazor 1.x's docs and the CWD paper state it."""
    n, c, h, w = preds_S.shape
    p_t = torch.softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_t = torch.log_softmax(preds_T.reshape(-1, h * w) / tau, dim=1)
    log_s = torch.log_softmax(preds_S.reshape(-1, h * w) / tau, dim=1)
    loss = torch.sum(p_t * log_t - p_t * log_s) * tau**2
    return loss_weight * loss / (c * n)


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_value_and_gradient_equal_the_formula(tau):
    g = torch.Generator().manual_seed(1)
    s = (torch.randn(2, 19, 8, 16, generator=g) * 4).requires_grad_(True)
    t = torch.randn(2, 19, 8, 16, generator=g) * 4
    ours = build(tau=tau, loss_weight=5.0)(s, t)
    (grad_ours, ) = torch.autograd.grad(ours, s)
    ref = mmrazor_formula(s, t, tau, 5.0)
    (grad_ref, ) = torch.autograd.grad(ref, s)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-6, abs=1e-7)
    torch.testing.assert_close(grad_ours, grad_ref, rtol=1e-5, atol=1e-8)


def test_resize_student_equals_reference_on_resized_student():
    s = torch.randn(1, 3, 8, 8)
    t = torch.randn(1, 3, 16, 16)
    up = torch.nn.functional.interpolate(
        s, size=(16, 16), mode='bilinear', align_corners=False)
    assert build(size_mode='resize_student')(s, t).item() == pytest.approx(
        reference_cwd(up, t, 1.0), rel=1e-6)
