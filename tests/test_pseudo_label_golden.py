# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Pseudo-labels of the demo extras are byte-identical to the golden run
recorded before the pseudo-labelling restructure (tests/golden/)."""
import json
import os.path as osp

import pytest

from helpers import ROOT, load_golden

GOLDEN = osp.join(ROOT, 'tests', 'golden', 'pseudo_labels.json')


def test_pseudo_labels_equal_the_golden_run(tmp_path):
    golden = load_golden('pseudo_labels')
    with open(GOLDEN) as f:
        expected = json.load(f)
    got = golden.make(str(tmp_path))
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert got[key] == expected[key], key
    # the labels are not degenerate: several classes and ignored pixels
    counts = golden.class_counts(str(tmp_path / 'labels'))
    assert len(counts['demo_coarse/priors']) >= 5
    assert 255 in counts['demo_coarse/priors']
    assert 255 not in counts['demo_split/no-priors']


if __name__ == '__main__':  # pragma: no cover
    pytest.main([__file__])
