# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Statistics of the LAD label noising (class-wise and pixel-wise)."""
import pytest
import torch

from mmseg_unify.models.label_noise import (class_slots, fixed_alpha_table,
                                            noise_labels, sample_alphas,
                                            zero_channel)


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
    assert not torch.equal(a[0], a[1])  # same labels, other image
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


def test_class_values_are_independent_standard_normal_across_images():
    # one class everywhere: each image's channel is its own alpha draw
    torch.manual_seed(1)
    y = torch.zeros(4000, 2, 2, dtype=torch.long)
    ch = noise_labels(y, 3, pixel_wise=False)[:, 0]
    per_image = ch[:, 0, 0]
    assert torch.all(ch == per_image[:, None, None])
    assert per_image.std().item() == pytest.approx(1.0, abs=0.05)
    # two paths (two calls) are uncorrelated
    other = noise_labels(y, 3, pixel_wise=False)[:, 0, 0, 0]
    corr = torch.corrcoef(torch.stack([per_image, other]))[0, 1]
    assert abs(corr.item()) < 0.06


def test_ignore_has_its_own_alpha_per_image():
    y = torch.full((300, 2, 2), 255, dtype=torch.long)
    y[:, 0, 0] = 1
    ch = noise_labels(y, 3, pixel_wise=False)[:, 0]
    ignore, cls = ch[:, 1, 1], ch[:, 0, 0]
    assert torch.all(ch[:, 0, 1] == ignore)
    assert torch.all(ch[:, 1, 0] == ignore)
    assert not torch.equal(ignore, cls)
    assert ignore.std().item() == pytest.approx(1.0, abs=0.15)


def test_generator_reproducible_and_4d_input():
    y = labels(b=2)
    a = noise_labels(y[:, None], 5, generator=torch.Generator().manual_seed(3))
    b = noise_labels(y, 5, generator=torch.Generator().manual_seed(3))
    assert a.shape == (2, 1, 32, 32) and torch.equal(a, b)


def test_fixed_alpha_table_is_seeded_and_shared_by_all_images():
    t0, t0b = fixed_alpha_table(5, seed=0), fixed_alpha_table(5, seed=0)
    assert t0.shape == (6, ) and torch.equal(t0, t0b)
    assert not torch.equal(t0, fixed_alpha_table(5, seed=1))
    u = fixed_alpha_table(5, seed=0, dist='uniform', low=0.0, high=0.5)
    assert u.min() >= 0 and u.max() <= 0.5
    y = labels(b=3)
    ch = noise_labels(y, 5, pixel_wise=False, alphas=t0)[:, 0]
    for b in range(3):
        for k in range(5):
            assert torch.all(ch[b][y[b] == k] == t0[k])
        assert torch.all(ch[b][y[b] == 255] == t0[5])


def test_zero_channel_and_bad_distribution():
    x = torch.randn(2, 3, 5, 7)
    z = zero_channel(x)
    assert z.shape == (2, 1, 5, 7) and torch.all(z == 0)
    with pytest.raises(ValueError, match='must be one of'):
        sample_alphas(2, 3, dist='laplace')
