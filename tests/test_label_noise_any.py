# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Class-wise noise of label maps of any taxonomy (LAD teacher as a
pseudo-labeller reads the extra dataset's own raw ids)."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_unify.models.data_preprocessor import LabelNoisingDataPreprocessor
from mmseg_unify.models.label_noise import noise_any_labels, noise_labels


def expected_channel(labels: np.ndarray, seed: int) -> np.ndarray:
    """Independent per-image computation: image by image, its sorted
    distinct ids take the next values of one N(0, 1) draw."""
    g = torch.Generator().manual_seed(seed)
    pairs = sum(len(np.unique(img)) for img in labels)
    alphas = torch.randn((1, pairs), generator=g)[0].numpy()
    out, offset = np.zeros(labels.shape, np.float32), 0
    for b, img in enumerate(labels):
        ids = np.unique(img)
        for rank, i in enumerate(ids):
            out[b][img == i] = alphas[offset + rank]
        offset += len(ids)
    return out


@pytest.mark.parametrize('high', [12, 256, 65536])
def test_equals_a_per_image_computation(high):
    rng = np.random.default_rng(high)
    ids = rng.choice(high, size=min(high, 9), replace=False)
    labels = ids[rng.integers(0, len(ids), (3, 6, 5))]
    got = noise_any_labels(torch.from_numpy(labels), pixel_wise=False,
                           generator=torch.Generator().manual_seed(3))
    assert got.shape == (3, 1, 6, 5)
    np.testing.assert_allclose(got[:, 0].numpy(),
                               expected_channel(labels, 3), rtol=0, atol=0)


def test_same_value_within_an_id_independent_across_images_and_draws():
    labels = torch.tensor([[[700, 700, 3], [3, 255, 700]]] * 2)
    a = noise_any_labels(labels, pixel_wise=False)[:, 0]
    b = noise_any_labels(labels, pixel_wise=False)[:, 0]
    for img in range(2):
        for i in (3, 255, 700):
            values = a[img][labels[img] == i]
            assert torch.all(values == values[0])
    assert a[0, 0, 0] != a[1, 0, 0]  # same id, other image
    assert not torch.equal(a, b)  # another draw


def test_statistics_match_the_source_taxonomy_noise():
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 12, (400, 8, 8), generator=g)
    ours = noise_any_labels(labels, beta=0.01, generator=g)
    ref = noise_labels(labels, 12, beta=0.01, generator=g)
    # one value per (image, class) in both: compare those
    for x in (ours, ref):
        per_class = x[:, 0, 0, 0]
        assert abs(float(per_class.mean())) < 0.15
        assert abs(float(per_class.std()) - 1.0) < 0.1


def _sample(label):
    s = SegDataSample()
    s.gt_sem_seg = PixelData(data=torch.as_tensor(label)[None])
    s.set_metainfo(dict(img_shape=label.shape, ori_shape=label.shape))
    return s


def test_preprocessor_reads_raw_extra_ids_with_label_ids_any():
    label = np.array([[300, 300, 1000], [1000, 7, 7]], np.int64)
    data = dict(inputs=[torch.zeros(3, 2, 3)], data_samples=[_sample(label)])
    pp = LabelNoisingDataPreprocessor(num_classes=12, label_ids='any',
                                      pixel_wise=False)
    out = pp(data, False)
    channel = out['inputs'][0, 3]
    for i in (300, 1000, 7):
        values = channel[torch.from_numpy(label == i)]
        assert torch.all(values == values[0])
    strict = LabelNoisingDataPreprocessor(num_classes=12)
    with pytest.raises(ValueError, match=r'label values \[300, 1000\]'):
        strict(data, False)
    with pytest.raises(ValueError, match="label_ids='any' needs"):
        LabelNoisingDataPreprocessor(num_classes=12, label_ids='any',
                                     alpha_seed=0)
