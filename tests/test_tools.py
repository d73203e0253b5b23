# Copyright (c) mmseg-unify contributors. All rights reserved.
"""tools/train.py, --resume, torchrun with gloo, and `mim train` on CPU."""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys

CONFIG = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'


def _options(data_root, iters):
    root = osp.join(data_root, 'demo_urban')
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=2', f'train_cfg.max_iters={iters}',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', f'param_scheduler.0.end={iters}'
    ]


def _run(cmd, cwd, env=None):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout + out.stderr


def _log(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    with open(logs[-1]) as f:
        return f.read()


def test_train_test_and_resume(repo_root, small_demo, tmp_path):
    work = str(tmp_path / 'work')
    _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work] +
         _options(small_demo, 4), repo_root)
    assert osp.isfile(osp.join(work, 'iter_4.pth'))
    assert 'mIoU' in _log(work)
    # --resume continues from iter 4 up to a longer schedule
    _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
          '--resume'] + _options(small_demo, 6), repo_root)
    log = _log(work)
    assert 'resumed' in log and 'iter_4.pth' in log
    assert 'Iter(train) [5/6]' in log
    assert osp.isfile(osp.join(work, 'iter_6.pth'))
    out = _run([sys.executable, 'tools/test.py', CONFIG,
                osp.join(work, 'iter_6.pth'), '--work-dir', work] +
               _options(small_demo, 6), repo_root)
    assert 'mIoU' in out


def test_torchrun_two_processes_gloo(repo_root, small_demo, tmp_path):
    work = str(tmp_path / 'dist')
    _run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
          '--master_port=29517', 'tools/train.py', CONFIG, '--launcher',
          'pytorch', '--work-dir', work] + _options(small_demo, 2), repo_root)
    log = _log(work)
    assert "dist_cfg=dict(backend='gloo')" in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'device_ids=None' in log  # CPU DDP (mmseg_unify.utils.dist)
    assert osp.isfile(osp.join(work, 'iter_2.pth'))


def test_mim_train_finds_configs_and_tools(small_demo, tmp_path):
    # tools/install.sh installs openmim next to this interpreter
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    if not osp.isfile(mim):
        mim = shutil.which('mim')
    assert mim, 'openmim is not installed (tools/install.sh installs it)'
    work = str(tmp_path / 'mim')
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    _run([mim, 'train', 'mmseg_unify', osp.basename(CONFIG), '--work-dir',
          work] + _options(small_demo, 2), str(tmp_path), env)
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
