# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/test.py --show-dir draws titled panels with legends."""
import os
import os.path as osp
import subprocess
import sys

import cv2

from helpers import DEMO_TEACHER, ROOT, save_seeded_checkpoint


def test_show_dir_writes_panels_with_legends(small_demo, tmp_path):
    ckpt = save_seeded_checkpoint(DEMO_TEACHER, str(tmp_path / 'm.pth'))
    show = tmp_path / 'vis'
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', DEMO_TEACHER, ckpt, '--work-dir',
         str(tmp_path / 'work'), '--show-dir', str(show), '--cfg-options',
         'test_dataloader.dataset.data_root=' +
         osp.join(small_demo, 'demo_urban'), 'test_dataloader.num_workers=0',
         'test_dataloader.persistent_workers=False',
         'default_hooks.visualization.interval=1'],
        cwd=ROOT, env=dict(os.environ, OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = sorted(osp.join(r, n) for r, _, names in os.walk(show)
                   for n in names if n.endswith('.png'))
    assert len(found) == 4  # the 4 val images of the small demo data
    panel = cv2.imread(found[0])
    # image | ground truth | prediction, 256 px each, 4 px gutters, a title
    # bar above and legends below the 128 px high tiles
    assert panel.shape[1] == 3 * 256 + 2 * 4
    assert panel.shape[0] > 24 + 128
