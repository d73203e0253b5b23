# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/dist_*.sh and tools/slurm_*.sh pass every argument on as one word.

``python`` and ``srun`` are replaced by a stub on ``PATH`` that prints its
arguments one per line, so the scripts run without torch or slurm.
"""
import os
import os.path as osp
import subprocess

import pytest

from helpers import ROOT

STUB = '#!/usr/bin/env bash\nfor a in "$@"; do printf "%s\\n" "$a"; done\n'
ODD = 'work dirs/ü ä'


@pytest.fixture
def stub_path(tmp_path):
    for name in ('python', 'srun'):
        path = tmp_path / name
        path.write_text(STUB)
        path.chmod(0o755)
    return f'{tmp_path}{os.pathsep}{os.environ["PATH"]}'


def argv_of(script, args, path, **env):
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', script), *args],
        env=dict(os.environ, PATH=path, **env),
        capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


@pytest.mark.parametrize('script,positional', [
    ('dist_train.sh', ['my cfg.py', '2']),
    ('dist_test.sh', ['my cfg.py', 'my ckpt.pth', '2']),
])
def test_dist_scripts_keep_arguments_with_spaces(stub_path, script,
                                                 positional):
    argv = argv_of(script, positional + ['--work-dir', ODD], stub_path)
    assert argv[:2] == ['-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in argv
    tail = argv[argv.index('--launcher'):]
    assert tail == ['--launcher', 'pytorch', '--work-dir', ODD]
    assert 'my cfg.py' in argv
    assert script != 'dist_test.sh' or 'my ckpt.pth' in argv


@pytest.mark.parametrize('script,positional', [
    ('slurm_train.sh', ['part', 'job', 'my cfg.py']),
    ('slurm_test.sh', ['part', 'job', 'my cfg.py', 'my ckpt.pth']),
])
def test_slurm_scripts_keep_arguments_with_spaces(stub_path, script,
                                                  positional):
    argv = argv_of(script, positional + ['--work-dir', ODD], stub_path,
                   SRUN_ARGS='--mem=8G --time=1:00:00')
    assert argv[:2] == ['-p', 'part']
    assert '--mem=8G' in argv and '--time=1:00:00' in argv
    tail = argv[argv.index('--launcher=slurm'):]
    assert tail == ['--launcher=slurm', '--work-dir', ODD]
    assert argv[argv.index('-u') + 2] == 'my cfg.py'
