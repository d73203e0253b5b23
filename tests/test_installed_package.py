# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The package as a user gets it: a wheel, installed into a bare folder,
used from an empty working directory with no source tree on ``sys.path``.

Every config under ``configs/`` is read from the installed copy and its model
built (a distiller's teacher is built from its ``teacher_cfg``), and a LAD
student trains two iterations with the installed ``tools/train.py`` and a
teacher checkpoint written here. Each check runs in a subprocess whose
``PYTHONPATH`` is the install folder and whose working directory is empty;
it asserts that it imported the installed package.
"""
import collections
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import textwrap

import pytest
import torch
from mmengine.config import Config

import mmseg_unify  # noqa: F401  (registers the models built here)
from helpers import ROOT
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

register_all_modules(init_default_scope=True)

# What setup.py needs to build the wheel, copied so that the build neither
# writes into the checkout (build/, *.egg-info, mmseg_unify/.mim) nor picks
# up stale files from it.
BUILD_INPUTS = ('setup.py', 'setup.cfg', 'MANIFEST.in', 'README.md',
                'requirements.txt', 'requirements', 'mmseg_unify', 'configs',
                'tools', 'ontology_maps', 'model-index.yml')
MIM_FOLDERS = ('configs', 'tools', 'ontology_maps')
LAD_STUDENT = ('lad/lad-student_fcn_r18-w16-d8_lad-teacher-fcn-r18-w16_'
               '1xb4-1k_demo-urban-128x128.py')
LAD_TEACHER = 'lad/lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'
TIMEOUT = 600

Install = collections.namedtuple('Install', ['site', 'package', 'scratch'])

# Runs first in every subprocess: the package must come from the install.
_CHECK_IMPORT = textwrap.dedent("""\
    import os.path as osp
    import sys
    import mmseg_unify
    _site = osp.realpath(sys.argv[1])
    if not osp.realpath(mmseg_unify.__file__).startswith(_site + osp.sep):
        sys.exit(f'imported {mmseg_unify.__file__}, not the install in '
                 f'{_site}')
    """)

# Reads every config of the install and builds every model in it.
_BUILD_ALL = _CHECK_IMPORT + textwrap.dedent("""\
    import functools
    import glob
    import json
    import traceback

    import mmengine.config.utils as cfg_utils
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    from mmseg_unify.utils.config_ref import resolve_config_ref
    from mmseg_unify.utils.paths import package_data_dir

    # Speed only: mmengine parses all of MMSeg's metafiles again for every
    # mmseg:: reference; parse each once.
    cfg_utils.load = functools.lru_cache(maxsize=None)(cfg_utils.load)
    register_all_modules(init_default_scope=True)


    def teacher_owners(node):
        if isinstance(node, dict):
            found = [node] if 'teacher_cfg' in node else []
            for value in node.values():
                found += teacher_owners(value)
            return found
        if isinstance(node, (list, tuple)):
            return [d for value in node for d in teacher_owners(value)]
        return []


    configs = str(package_data_dir('configs'))
    report = dict(configs=configs, built={}, no_model=[], fragments=[],
                  mask2former=[], failed={})
    for path in sorted(glob.glob(osp.join(configs, '**', '*.py'),
                                 recursive=True)):
        rel = osp.relpath(path, configs)
        try:
            cfg = Config.fromfile(path)
            model = cfg.get('model')
            if model is None:
                report['no_model'].append(rel)
                continue
            if 'type' not in model:  # a base that only amends a model
                report['fragments'].append(rel)
                continue
            head = model.get('decode_head')
            if isinstance(head, dict) and head.get('type') == \
                    'Mask2FormerHead':
                # needs the optional mmdet; built by
                # tests/test_mask2former_configs.py where it is installed
                report['mask2former'].append(rel)
                continue
            teachers = []
            for owner in teacher_owners(model):
                owner['teacher_ckpt'] = None  # random teacher weights
                ref = owner['teacher_cfg']
                teachers.append([ref, resolve_config_ref(ref)])
            built = MODELS.build(model)
            report['built'][rel] = dict(
                type=type(built).__name__, teachers=teachers,
                teacher_type=type(getattr(built, 'teacher', None)).__name__)
            del built
        except Exception:
            report['failed'][rel] = traceback.format_exc(limit=-4)
    with open(sys.argv[2], 'w') as f:
        json.dump(report, f, indent=1)
    """)

# Runs a tool script of the install as ``python TOOL ARGS...`` would.
_RUN_TOOL = _CHECK_IMPORT + textwrap.dedent("""\
    import runpy
    tool = sys.argv[2]
    if not osp.realpath(tool).startswith(_site + osp.sep):
        sys.exit(f'{tool} is not in the install {_site}')
    sys.argv = sys.argv[2:]
    runpy.run_path(tool, run_name='__main__')
    """)


def _copy_build_inputs(dst):
    """Copy what the wheel is built from into ``dst``."""
    ignore = shutil.ignore_patterns('.mim', '__pycache__', '*.pyc',
                                    '*.egg-info')
    for name in BUILD_INPUTS:
        src = osp.join(ROOT, name)
        if osp.isdir(src):
            shutil.copytree(src, osp.join(dst, name), ignore=ignore)
        elif osp.isfile(src):
            shutil.copy2(src, dst)


def _run(cmd, cwd, env=None):
    """Run ``cmd``; fail the test with its output if it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (
        f'{" ".join(cmd)} (in {cwd}) exited {proc.returncode}\n'
        f'--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n'
        f'{proc.stderr[-6000:]}')
    return proc


def _run_installed(install, code, args, cwd):
    """Run ``code`` as a script with only the install on ``PYTHONPATH``.

    Args:
        install (Install): The installed package.
        code (str): The script; it starts with :data:`_CHECK_IMPORT`, which
            reads the install folder from ``sys.argv[1]``.
        args (list[str]): Further arguments (``sys.argv[2:]``).
        cwd (str): Working directory.

    Returns:
        subprocess.CompletedProcess: The finished process.
    """
    script = osp.join(install.scratch,
                      f'script_{len(os.listdir(install.scratch))}.py')
    with open(script, 'w') as f:
        f.write(code)
    env = dict(os.environ, PYTHONPATH=install.site, PYTHONNOUSERSITE='1')
    return _run([sys.executable, script, install.site, *args], cwd, env)


@pytest.fixture(scope='module')
def install(tmp_path_factory):
    """Build a wheel from a copy of the checkout, install it into a folder.

    Returns:
        Install: ``site`` (the folder on ``PYTHONPATH``), ``package`` (the
        installed ``mmseg_unify``) and ``scratch`` (for scripts).
    """
    tmp = tmp_path_factory.mktemp('wheel')
    src, wheels, site = tmp / 'src', tmp / 'wheels', tmp / 'site'
    scratch = tmp / 'scripts'
    src.mkdir()
    scratch.mkdir()
    _copy_build_inputs(str(src))
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check']
    _run(pip + ['wheel', '--no-deps', '--no-build-isolation', '-w',
                str(wheels), '.'], cwd=str(src))
    wheel = glob.glob(str(wheels / 'mmseg_unify-*.whl'))
    assert len(wheel) == 1, wheel
    _run(pip + ['install', '--no-deps', '--target', str(site), wheel[0]],
         cwd=str(tmp))
    return Install(str(site), str(site / 'mmseg_unify'), str(scratch))


def _files(root):
    """Relative paths of the files under ``root`` (no bytecode)."""
    return sorted(
        osp.relpath(p, root)
        for p in glob.glob(osp.join(root, '**', '*'), recursive=True)
        if osp.isfile(p) and '__pycache__' not in p)


def test_wheel_ships_configs_tools_and_ontology_maps(install):
    for name in MIM_FOLDERS:
        shipped = osp.join(install.package, '.mim', name)
        assert osp.isdir(shipped) and not osp.islink(shipped), shipped
        assert _files(shipped) == _files(osp.join(ROOT, name)), name


def test_every_config_builds_from_an_empty_directory(install, tmp_path):
    """Every provided config, teachers of distillers included, builds from
    the install in a folder that holds nothing (no configs/, no data/)."""
    report_file = str(tmp_path / 'report.json')
    empty = tmp_path / 'empty'
    empty.mkdir()
    _run_installed(install, _BUILD_ALL, [report_file], str(empty))
    with open(report_file) as f:
        report = json.load(f)
    assert osp.realpath(report['configs']) == osp.realpath(
        osp.join(install.package, '.mim', 'configs'))
    assert not report['failed'], '\n\n'.join(
        f'{rel}:\n{tb}' for rel, tb in report['failed'].items())
    seen = (set(report['built']) | set(report['no_model'])
            | set(report['fragments']) | set(report['mask2former']))
    assert all('mask2former' in rel for rel in report['mask2former'])
    expected = {osp.relpath(p, osp.join(ROOT, 'configs'))
                for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                                   recursive=True)}
    assert seen == expected
    # only bases may lack a buildable model
    for rel in report['no_model'] + report['fragments']:
        assert '_base_' in rel.split(osp.sep) or \
            rel.startswith(osp.join('unify', 'datasets')), rel
    assert not empty.exists() or not any(empty.iterdir()), \
        'building models wrote into the working directory'

    distillers = {rel: r for rel, r in report['built'].items()
                  if r['type'] == 'CWDDistiller'}
    assert set(distillers) == {
        rel for rel in expected
        if osp.basename(rel).startswith(('lad-student_', 'cwd-student_'))}
    for rel, built in distillers.items():
        (ref, resolved), = built['teachers']
        assert built['teacher_type'] != 'NoneType', rel
        if ref.startswith('mmseg_unify::'):
            # our teachers come from the install, not from a checkout
            assert osp.realpath(resolved).startswith(
                osp.realpath(install.package) + osp.sep), (rel, resolved)
        else:
            assert ref.startswith('mmseg::'), (rel, ref)


def test_lad_student_trains_from_an_empty_directory(install, small_demo,
                                                    tmp_path):
    """The installed tools/train.py trains the LAD student of the demo data
    for two iterations with a teacher checkpoint saved here."""
    configs = osp.join(install.package, '.mim', 'configs')
    teacher = MODELS.build(
        Config.fromfile(osp.join(configs, LAD_TEACHER)).model)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, ckpt)
    empty = tmp_path / 'empty'
    empty.mkdir()
    data_root = osp.join(small_demo, 'demo_urban')
    options = [
        f'model.teacher_ckpt={ckpt}',
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2', 'param_scheduler.0.end=2',
        'default_hooks.logger.interval=1'
    ]
    tool = osp.join(install.package, '.mim', 'tools', 'train.py')
    proc = _run_installed(install, _RUN_TOOL, [
        tool, osp.join(configs, LAD_STUDENT), '--work-dir', 'wd',
        '--cfg-options', *options
    ], str(empty))
    log = proc.stdout + proc.stderr
    assert 'distill.loss_cwd' in log, log[-3000:]
    assert 'keeps random weights' not in log  # the checkpoint was loaded
    assert osp.isfile(empty / 'wd' / 'iter_2.pth'), sorted(
        os.listdir(empty / 'wd'))
    # the run wrote nothing but its work dir
    assert sorted(os.listdir(empty)) == ['wd']
