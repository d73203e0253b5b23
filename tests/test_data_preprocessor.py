# Copyright (c) mmseg-unify contributors. All rights reserved.
"""LabelNoisingDataPreprocessor: 4-channel output aligned with the labels."""
import pytest
import torch
from mmengine.structures import PixelData

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg_unify.models.label_noise import fixed_alpha_table

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def build(**kwargs):
    cfg = dict(type='LabelNoisingDataPreprocessor', num_classes=4, mean=MEAN,
               std=STD, bgr_to_rgb=True, size=(16, 16), seg_pad_val=255)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def batch(h=12, w=10, gt=True):
    samples = []
    for i in range(2):
        s = SegDataSample()
        if gt:
            label = torch.full((1, h, w), i, dtype=torch.long)
            label[:, :, :2] = 3
            s.gt_sem_seg = PixelData(data=label)
        s.set_metainfo(dict(img_shape=(h, w), ori_shape=(h, w)))
        samples.append(s)
    inputs = [torch.randint(0, 255, (3, h, w)).byte() for _ in range(2)]
    return dict(inputs=inputs, data_samples=samples)


def test_training_output_has_aligned_label_channel():
    pp = build(pixel_wise=False)
    out = pp(batch(), training=True)
    x = out['inputs']
    assert x.shape == (2, 4, 16, 16)
    ch = x[:, 3]
    # padded area (rows 12.., cols 10..) holds the ignore alpha
    pad = ch[0, 12:, :]
    assert torch.all(pad == pad[0, 0])
    # columns 0-1 are class 3, the rest of the image class i
    assert torch.all(ch[0, :12, :2] == ch[0, 0, 0])
    assert torch.all(ch[1, :12, 2:10] == ch[1, 0, 2])
    assert ch[0, 0, 0] != ch[0, 0, 2]
    assert ch[0, 0, 2] != pad[0, 0]


def test_rgb_channels_equal_plain_preprocessor():
    data = batch()
    plain = MODELS.build(dict(type='SegDataPreProcessor', mean=MEAN, std=STD,
                              bgr_to_rgb=True, size=(16, 16)))
    ref = plain(batch_copy(data), training=True)['inputs']
    out = build()(batch_copy(data), training=True)['inputs']
    assert torch.equal(out[:, :3], ref)


def batch_copy(data):
    return dict(inputs=[t.clone() for t in data['inputs']],
                data_samples=[s.clone() for s in data['data_samples']])


def test_label_channel_is_fresh_each_call():
    pp = build()
    data = pp(batch(), training=True)
    again = pp.label_channel(data['data_samples'], data['inputs'].shape)
    assert again.shape == (2, 1, 16, 16)
    assert not torch.equal(again, data['inputs'][:, 3:])


def test_test_mode_noised_resizes_and_pads_labels():
    pp = build(test_cfg=dict(size=(16, 16)), pixel_wise=False)
    data = batch(12, 10)
    for s in data['data_samples']:  # image resized to 6×5, gt at original
        s.set_metainfo(dict(img_shape=(6, 5)))
    data['inputs'] = [t[:, :6, :5] for t in data['inputs']]
    out = pp(data, training=False)['inputs']
    assert out.shape == (2, 4, 16, 16)
    ch = out[0, 3]
    assert torch.all(ch[:6, :1] == ch[0, 0])  # class 3 strip, resized
    assert torch.all(ch[6:, :] == ch[15, 15])  # padding = ignore


def test_test_mode_zeros_and_missing_gt():
    out = build(test_label='zeros')(batch(16, 16, gt=False), training=False)
    assert torch.all(out['inputs'][:, 3] == 0)
    with pytest.raises(ValueError, match="no gt_sem_seg.*test_label='zeros'"):
        build()(batch(16, 16, gt=False), training=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match='test_label must be one of'):
        build(test_label='clean')
    with pytest.raises(ValueError, match='needs num_classes \\+ 1 = 5'):
        build(fixed_alphas=[0.0, 1.0])


def test_noised_channels_are_independent_draws():
    pp = build(pixel_wise=False)
    data = pp(batch(), training=True)
    chans = pp.noised_channels(data['data_samples'], data['inputs'].shape, 3)
    assert len(chans) == 3 and all(c.shape == (2, 1, 16, 16) for c in chans)
    # same class layout (constant within each region) but new alphas
    for c in chans:
        assert torch.all(c[0, 0, :12, :2] == c[0, 0, 0, 0])
    assert not torch.equal(chans[0], chans[1])
    assert not torch.equal(chans[1], chans[2])


def test_alpha_seed_gives_a_fixed_table():
    pp = build(pixel_wise=False, alpha_seed=7)
    table = fixed_alpha_table(4, seed=7)
    a = pp(batch(), training=True)['inputs'][:, 3]
    b = pp(batch(), training=True)['inputs'][:, 3]
    assert torch.equal(a, b)
    assert a[0, 0, 0] == table[3] and a[1, 0, 5] == table[1]
    assert a[0, 15, 15] == table[4]  # padding: the ignore slot
    with pytest.raises(ValueError, match='not both'):
        build(alpha_seed=1, fixed_alphas=[0.0] * 5)


def test_test_mode_flipped_sample_flips_the_label():
    pp = build(pixel_wise=False, alpha_seed=0)
    data = batch(12, 10)
    for s in data['data_samples']:
        s.set_metainfo(dict(flip=True, flip_direction='horizontal'))
    ch = pp(data, training=False)['inputs'][0, 3]
    assert ch.shape == (12, 10)
    table = fixed_alpha_table(4, seed=0)
    assert torch.all(ch[:, -2:] == table[3])  # class-3 strip now on the right
    assert torch.all(ch[:, :8] == table[0])


def test_test_mode_size_divisor_padding():
    pp = build(test_cfg=dict(size_divisor=8), pixel_wise=False, alpha_seed=0)
    out = pp(batch(12, 10), training=False)['inputs']
    assert out.shape == (2, 4, 16, 16)
    table = fixed_alpha_table(4, seed=0)
    assert torch.all(out[:, 3, 12:] == table[4])
    assert torch.all(out[:, 3, :, 10:] == table[4])
    assert torch.all(out[1, 3, :12, 2:10] == table[1])


def test_test_mode_zeros_ignores_ground_truth():
    pp = build(test_label='zeros')
    out = pp(batch(12, 10), training=False)
    assert out['inputs'].shape == (2, 4, 12, 10)
    assert torch.all(out['inputs'][:, 3] == 0)
    # an image/label size mismatch the preprocessor cannot fix is an error
    bad = batch(12, 10)
    bad['data_samples'][0].gt_sem_seg = PixelData(
        data=torch.zeros(1, 20, 20, dtype=torch.long))
    for s in bad['data_samples']:
        s.set_metainfo(dict(img_shape=(20, 20)))
    with pytest.raises(ValueError, match='does not fit the network input'):
        build()(bad, training=False)
