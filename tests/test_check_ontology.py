# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/check_ontology.py on a map alone and on generated label PNGs."""
import os.path as osp
import runpy

import cv2
import numpy as np
import pytest
from helpers import ROOT


@pytest.fixture(scope='module')
def tool():
    return runpy.run_path(osp.join(ROOT, 'tools', 'check_ontology.py'))


def _lines(out):
    return [' '.join(line.split()) for line in out.splitlines()]


def test_map_alone(tool, capsys):
    assert tool['main'](['a2d2_to_cityscapes']) == 0
    lines = _lines(capsys.readouterr().out)
    assert '36 buildings building, wall, void teacher decides' in lines
    assert '1 car car determined' in lines
    assert '30 ego car void void only' in lines
    assert 'warnings (0):' in lines


def test_map_warnings_printed(tool, capsys):
    assert tool['main'](['demo_split_to_demo_urban']) == 0
    out = capsys.readouterr().out
    assert "warnings (1):" in out
    assert "['wall', 'bus'] can never occur in demo_split" in out


def test_label_statistics(tool, tmp_path, capsys):
    # 8-bit and 16-bit PNGs in nested folders, a2d2 raw ids
    (tmp_path / 'a').mkdir()
    cv2.imwrite(str(tmp_path / 'a' / '0.png'),
                np.array([[36, 36], [1, 0]], np.uint8))  # 2 teacher, 1, 1
    cv2.imwrite(str(tmp_path / '1.png'),
                np.array([[1, 255, 1, 1]], np.uint16))  # 3 determined, 1 void
    assert tool['main'](['a2d2_to_cityscapes', '--labels',
                         str(tmp_path)]) == 0
    lines = _lines(capsys.readouterr().out)
    assert 'counting pixels in 2 label files under ' + str(tmp_path) in lines
    assert '36 buildings building, wall, void teacher decides 2 25.00%' \
        in lines
    assert '1 car car determined 4 50.00%' in lines
    assert '255 (ignore index) void void only 1 12.50%' in lines
    assert ('pixels: 8 in 2 files; determined: 50.00%, teacher decides: '
            '25.00%, void only: 25.00%') in lines


def test_unknown_id_names_file_and_id(tool, tmp_path, capsys):
    cv2.imwrite(str(tmp_path / 'bad.png'), np.array([[1, 77]], np.uint8))
    assert tool['main'](['a2d2_to_cityscapes', '--labels',
                         str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.png'}: raw label id(s) [77]" in err


def test_invalid_map_reports_error(tool, tmp_path, capsys):
    bad = tmp_path / 'maps' / 'x.yaml'
    bad.parent.mkdir()
    bad.write_text('extra: demo_split\nsource: demo_urban\nallowed: {}\n')
    assert tool['main']([str(bad)]) == 1
    assert 'demo_split' in capsys.readouterr().err


def test_demo_extra_dataset(tool, small_demo, capsys):
    labels = osp.join(small_demo, 'demo_coarse', 'ann_dir')
    assert tool['main'](['demo_coarse_to_demo_urban', '--labels',
                         labels]) == 0
    out = capsys.readouterr().out
    assert 'counting pixels in 8 label files' in out
    assert 'pixels: ' in out and 'teacher decides: ' in out
