# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``model-index.yml`` and ``configs/*/metafile.yml``: what ``mim search
mmseg_unify`` reads.

Every runnable config is listed once, every listed config exists, every
model names a collection of the index, and ``mim search`` finds the index
both in the editable install of this checkout and in a wheel.
"""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
import textwrap

import yaml
from modelindex.load_model_index import load

from helpers import ROOT

INDEX = osp.join(ROOT, 'model-index.yml')
#: config folders that hold no runnable configs (bases, dataset fragments)
FRAGMENTS = ('_base_', 'datasets')
#: what the wheel is built from (as tests/test_installed_package.py, plus
#: the index)
BUILD_INPUTS = ('setup.py', 'setup.cfg', 'MANIFEST.in', 'README.md',
                'model-index.yml', 'requirements.txt', 'requirements',
                'mmseg_unify', 'configs', 'tools', 'ontology_maps')


def read_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def runnable_configs():
    """``configs/...py`` paths of every config that is no base/fragment."""
    return sorted(
        osp.relpath(path, ROOT)
        for path in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                              recursive=True)
        if not set(FRAGMENTS) & set(osp.relpath(path, ROOT).split(osp.sep)))


def listed_models():
    """Every model entry of every imported metafile."""
    models = []
    for metafile in read_yaml(INDEX)['Import']:
        models += read_yaml(osp.join(ROOT, metafile))['Models']
    return models


def test_index_imports_one_metafile_per_config_folder():
    imported = sorted(read_yaml(INDEX)['Import'])
    folders = sorted({osp.dirname(p) for p in runnable_configs()})
    assert imported == [f'{d}/metafile.yml' for d in folders]


def test_every_runnable_config_is_listed_once_and_exists():
    configs = [m['Config'] for m in listed_models()]
    assert len(configs) == len(set(configs)), 'a config is listed twice'
    assert sorted(configs) == runnable_configs()
    for model in listed_models():
        assert osp.isfile(osp.join(ROOT, model['Config'])), model['Config']
        # mim's config id is the file name, as MMSeg's
        assert model['Name'] == osp.splitext(
            osp.basename(model['Config']))[0], model['Name']


def test_every_model_names_a_collection_and_training_data():
    collections = {c['Name'] for c in read_yaml(INDEX)['Collections']}
    for model in listed_models():
        assert model['In Collection'] in collections, model['Name']
        assert model['Metadata'].get('Training Data'), model['Name']
        for result in model.get('Results', []):
            assert set(result) == {'Task', 'Dataset', 'Metrics'}, \
                model['Name']
            assert all(isinstance(v, (int, float))
                       for v in result['Metrics'].values()), model['Name']


def test_openmim_reads_the_index_without_errors():
    """The ``modelindex`` package that openmim uses loads every model and
    finds every config and README it names."""
    index = load(INDEX)
    assert len(index.models) == len(runnable_configs())
    assert index.check(silent=True) == []


def _search_script():
    """Runs ``mim search``'s loader and prints the package path and the
    number of configs it lists."""
    return textwrap.dedent("""\
        from mim.commands.search import get_model_info
        from mim.utils import get_installed_path
        print(get_installed_path('mmseg_unify'))
        print(len(get_model_info('mmseg_unify')))
        """)


def test_mim_search_finds_the_index_of_the_editable_install(tmp_path):
    proc = subprocess.run([sys.executable, '-c', _search_script()],
                          cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, (
        f'{proc.stderr[-3000:]}\nAn older editable install lacks '
        'mmseg_unify/.mim/model-index.yml: run `pip install '
        '--no-build-isolation -e .` (or bash tools/install.sh) again.')
    path, count = proc.stdout.split()[-2:]
    assert osp.realpath(path) == osp.join(osp.realpath(ROOT), 'mmseg_unify')
    assert int(count) == len(runnable_configs())


def _run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_mim_search_finds_the_index_of_a_wheel(tmp_path):
    src, wheels = tmp_path / 'src', tmp_path / 'wheels'
    site = tmp_path / 'site'
    src.mkdir()
    ignore = shutil.ignore_patterns('.mim', '__pycache__', '*.pyc',
                                    '*.egg-info')
    for name in BUILD_INPUTS:
        path = osp.join(ROOT, name)
        if osp.isdir(path):
            shutil.copytree(path, src / name, ignore=ignore)
        elif osp.isfile(path):
            shutil.copy2(path, src)
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check']
    _run(pip + ['wheel', '--no-deps', '--no-build-isolation', '-w',
                str(wheels), '.'], src)
    wheel, = glob.glob(str(wheels / 'mmseg_unify-*.whl'))
    _run(pip + ['install', '--no-deps', '--target', str(site), wheel],
         tmp_path)
    shipped = site / 'mmseg_unify' / '.mim' / 'model-index.yml'
    assert shipped.is_file() and not shipped.is_symlink()
    env = dict(os.environ, PYTHONPATH=str(site), PYTHONNOUSERSITE='1')
    empty = tmp_path / 'empty'
    empty.mkdir()
    proc = subprocess.run([sys.executable, '-c', _search_script()],
                          cwd=str(empty), env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    path, count = proc.stdout.split()[-2:]
    assert osp.realpath(path) == osp.realpath(site / 'mmseg_unify')
    assert int(count) == len(runnable_configs())
