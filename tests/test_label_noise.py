# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Statistics of the LAD label noising (class-wise and pixel-wise)."""
import pytest
import torch

from mmseg_unify.models.label_noise import (class_slots, noise_labels,
                                            sample_alphas)


def labels(b=4, h=32, w=32, classes=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (b, h, w), generator=g)
    y[:, :3] = 255  # padding / ignore rows
    return y


def test_same_alpha_within_a_class_without_pixel_noise():
    y = labels()
    ch = noise_labels(y, 5, pixel_wise=False)[:, 0]
    for b in range(y.shape[0]):
        for k in list(range(5)) + [255]:
            values = ch[b][y[b] == k]
            assert values.numel() > 0
            assert torch.all(values == values[0])
        # different classes get different values (continuous draws)
        firsts = {float(ch[b][y[b] == k][0]) for k in list(range(5)) + [255]}
        assert len(firsts) == 6


def test_independent_across_images_and_calls():
    y = labels(b=2)
    y[1] = y[0]
    a = noise_labels(y, 5, pixel_wise=False)[:, 0]
    assert not torch.equal(a[0], a[1])  # same labels, other image: other alphas
    b = noise_labels(y, 5, pixel_wise=False)[:, 0]
    assert not torch.equal(a, b)  # second path: fresh alphas


def test_alpha_distribution_is_standard_normal():
    torch.manual_seed(0)
    table = sample_alphas(20000, 4)
    assert table.shape == (20000, 5)
    assert abs(table.mean().item()) < 0.02
    assert table.std().item() == pytest.approx(1.0, abs=0.02)
    u = sample_alphas(20000, 4, dist='uniform', low=-2, high=2)
    assert u.min() >= -2 and u.max() <= 2
    assert u.mean().abs().item() < 0.05


def test_pixel_noise_has_std_beta():
    y = torch.zeros(2, 64, 64, dtype=torch.long)
    clean = noise_labels(y, 3, pixel_wise=False, alphas=torch.zeros(4))
    noisy = noise_labels(y, 3, beta=0.01, alphas=torch.zeros(4))
    assert torch.all(clean == 0)
    assert (noisy - clean).std().item() == pytest.approx(0.01, rel=0.05)


def test_fixed_alphas_scale_and_ignore_slot():
    y = torch.tensor([[[0, 1, 2, 255]]])
    ch = noise_labels(y, 3, pixel_wise=False,
                      alphas=torch.tensor([0.5, -1.0, 2.0, 7.0]), scale=2.0)
    assert ch.shape == (1, 1, 1, 4)
    assert ch.flatten().tolist() == [1.0, -2.0, 4.0, 14.0]


def test_without_class_wise_noise_labels_are_spread():
    y = torch.tensor([[[0, 2, 4, 255]]])
    ch = noise_labels(y, 5, class_wise=False, pixel_wise=False)
    assert ch.flatten().tolist() == [-1.0, 0.0, 1.0, -2.0]


def test_values_outside_taxonomy_raise():
    with pytest.raises(ValueError, match=r'label values \[7\]'):
        class_slots(torch.tensor([[0, 7, 255]]), 5)
